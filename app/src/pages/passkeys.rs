//! The passkeys on "me": add one with the phone's unlock (named after the phone, unless its
//! owner names it otherwise), see when each was last used, rename or remove one.

use kapok_api::{
    ErrorCode, LabelProblem, NewPasskey, PASSKEY_LABEL_MAX, PasskeyInfo, PasskeyRename,
    PasswordConfirmation, client::ClientError, passkey_label,
};
use kapok_components::{Button, ButtonVariant, Card, Dialog, Loading, TextField, Toast};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    api::api,
    errors::{error_text, passkey_error_text},
    format,
    i18n::{Locale, t, t_string, use_i18n},
    labels,
    page::LoadFailed,
    webauthn::{self, PasskeyError},
};

/// Why adding or removing a passkey did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Api(ClientError),
    Passkey(PasskeyError),
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Failure {
        Failure::Api(e)
    }
}

impl From<PasskeyError> for Failure {
    fn from(e: PasskeyError) -> Failure {
        Failure::Passkey(e)
    }
}

/// The passkey whose removal is being asked about.
#[derive(Clone, Debug, PartialEq)]
struct Removal {
    id: String,
    name: String,
    /// The account's only passkey: removing it leaves the password alone.
    only: bool,
}

/// The passkey being renamed.
#[derive(Clone, Debug, PartialEq)]
struct Renaming {
    id: String,
    /// As it is stored: empty for a passkey added with no name.
    label: String,
    /// As the list shows it.
    name: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Done {
    Added,
    Renamed,
    Removed,
}

/// What kind of device this is, told from its browser's User-Agent (and, for an iPad, which
/// says it is a Mac, its touch screen): what a passkey made on it is called unless its owner
/// names it otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DeviceKind {
    Iphone,
    Ipad,
    HarmonyPhone,
    HarmonyTablet,
    AndroidPhone,
    AndroidTablet,
    Chromebook,
    Mac,
    Windows,
    Linux,
}

fn device_kind(agent: &str, touch_points: i32) -> Option<DeviceKind> {
    let has = |mark: &str| agent.contains(mark);
    Some(if has("iPhone") {
        DeviceKind::Iphone
    } else if has("iPad") || (has("Macintosh") && touch_points > 1) {
        DeviceKind::Ipad
    } else if has("OpenHarmony") || has("HarmonyOS") {
        if has("Tablet") {
            DeviceKind::HarmonyTablet
        } else {
            DeviceKind::HarmonyPhone
        }
    } else if has("Android") {
        // Android's phones say "Mobile"; its tablets do not.
        if has("Mobile") {
            DeviceKind::AndroidPhone
        } else {
            DeviceKind::AndroidTablet
        }
    } else if has("CrOS") {
        DeviceKind::Chromebook
    } else if has("Macintosh") {
        DeviceKind::Mac
    } else if has("Windows") {
        DeviceKind::Windows
    } else if has("Linux") {
        DeviceKind::Linux
    } else {
        return None;
    })
}

/// The name suggested for a passkey made on this device, in the reader's language; empty when
/// the device cannot be told.
fn this_device(i18n: I18nContext<Locale>) -> String {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return String::new();
    };
    let agent = navigator.user_agent().unwrap_or_default();
    let Some(kind) = device_kind(&agent, navigator.max_touch_points()) else {
        return String::new();
    };
    match kind {
        DeviceKind::Iphone => "iPhone".into(),
        DeviceKind::Ipad => "iPad".into(),
        DeviceKind::Chromebook => "Chromebook".into(),
        DeviceKind::Mac => "Mac".into(),
        DeviceKind::HarmonyPhone => t_string!(i18n, passkey.device_harmony_phone).to_string(),
        DeviceKind::HarmonyTablet => t_string!(i18n, passkey.device_harmony_tablet).to_string(),
        DeviceKind::AndroidPhone => t_string!(i18n, passkey.device_android_phone).to_string(),
        DeviceKind::AndroidTablet => t_string!(i18n, passkey.device_android_tablet).to_string(),
        DeviceKind::Windows => t_string!(i18n, passkey.device_windows).to_string(),
        DeviceKind::Linux => t_string!(i18n, passkey.device_linux).to_string(),
    }
}

/// What to tell someone whose name for a passkey is not one.
fn label_problem_text(i18n: I18nContext<Locale>, problem: LabelProblem) -> String {
    match problem {
        LabelProblem::Blank => t_string!(i18n, passkey.name_blank).to_string(),
        LabelProblem::TooLong => t_string!(i18n, passkey.name_too_long).to_string(),
        LabelProblem::Disguised => t_string!(i18n, passkey.name_disguised).to_string(),
    }
}

async fn add_passkey(password: String, label: String) -> Result<PasskeyInfo, Failure> {
    let ceremony = api()
        .passkey_register_start(&PasswordConfirmation { password })
        .await?;
    let answer = webauthn::create(&ceremony).await?;
    Ok(api()
        .passkey_register_finish(&NewPasskey { answer, label })
        .await?)
}

#[component]
pub fn PasskeysCard() -> impl IntoView {
    let i18n = use_i18n();
    let passkeys = LocalResource::new(|| async { api().passkeys().await });
    let failure = RwSignal::new(None::<Failure>);
    let done = RwSignal::new(None::<Done>);
    // The account's password, asked again: a signed-in phone alone does not add a passkey.
    let password = RwSignal::new(String::new());
    let password_missing = RwSignal::new(false);
    // The new passkey's name: this device's, in the reader's language, until its owner types
    // another (a change of language changes the suggestion, never what was typed).
    let name = RwSignal::new(String::new());
    let name_problem = RwSignal::new(None::<LabelProblem>);
    Effect::new(move |suggested_before: Option<String>| {
        // Read in the reader's language, so a change of language runs this again.
        let suggested = this_device(i18n);
        if suggested_before.is_none_or(|before| name.with_untracked(|n| *n == before)) {
            name.set(suggested.clone());
        }
        suggested
    });
    let add = Action::new_local(|(password, label): &(String, String)| {
        add_passkey(password.clone(), label.clone())
    });
    let renaming = RwSignal::new(None::<Renaming>);
    let new_name = RwSignal::new(String::new());
    let rename_error = RwSignal::new(None::<String>);
    let rename = Action::new_local(|(id, label): &(String, String)| {
        let (id, label) = (id.clone(), label.clone());
        async move { api().rename_passkey(&id, &PasskeyRename { label }).await }
    });
    // The field starts from the passkey's own name each time the dialog opens.
    Effect::new(move |_| {
        if let Some(r) = renaming.get() {
            new_name.set(r.label);
            rename_error.set(None);
        }
    });
    // A removal waits for a "yes": one stray tap must not take away how someone confirms.
    let asking = RwSignal::new(None::<Removal>);
    // Where focus goes once the removed passkey's button is gone.
    let listed = NodeRef::<leptos::html::Div>::new();
    let remove = Action::new_local(|id: &String| {
        let id = id.clone();
        async move {
            let removed = api().remove_passkey(&id).await;
            // If this phone holds it, it stops offering a passkey that no longer signs in
            // (removed now, or already, on another device).
            if removed
                .as_ref()
                .map_or_else(|e| e.code() == Some(ErrorCode::NotFound), |()| true)
            {
                crate::webauthn::forget(&id);
            }
            removed
        }
    });
    Effect::new(move |_| {
        if let Some(result) = add.value().get() {
            match result {
                Ok(_) => {
                    password.set(String::new());
                    done.set(Some(Done::Added));
                    passkeys.refetch();
                }
                Err(e) => {
                    // It may have been added before its answer was lost: the list says.
                    if matches!(&e, Failure::Api(api) if api.is_unavailable()) {
                        passkeys.refetch();
                    }
                    failure.set(Some(e));
                }
            }
        }
    });
    // After a rename or a removal the list is drawn again, so focus goes to the list rather
    // than to a button that is gone.
    let focus_list = move || {
        // Also run from an animation frame, when the page may be gone.
        if let Some(list) = listed.try_get_untracked().flatten() {
            let _ = list.focus();
        }
    };
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            match result {
                Ok(()) => {
                    done.set(Some(Done::Removed));
                    passkeys.refetch();
                    focus_list();
                }
                Err(e) => {
                    if e.code() == Some(ErrorCode::NotFound) {
                        passkeys.refetch();
                    }
                    failure.set(Some(Failure::Api(e)));
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = rename.value().get() {
            match result {
                // The dialog closing gives focus back to the button that opened it, which the
                // list drawn again takes away: so the list takes focus once the dialog is shut.
                Ok(_) => {
                    renaming.set(None);
                    done.set(Some(Done::Renamed));
                    passkeys.refetch();
                    request_animation_frame(focus_list);
                }
                // Removed meanwhile (on another device): the list says so.
                Err(e) if e.code() == Some(ErrorCode::NotFound) => {
                    renaming.set(None);
                    failure.set(Some(Failure::Api(e)));
                    passkeys.refetch();
                    request_animation_frame(focus_list);
                }
                Err(e) => rename_error.set(Some(error_text(i18n, &e))),
            }
        }
    });
    let busy = Signal::derive(move || remove.pending().get() || rename.pending().get());
    let submit_rename = move || {
        let Some(Renaming { id, .. }) = renaming.get_untracked() else {
            return;
        };
        match passkey_label(&new_name.get_untracked(), true) {
            Ok(label) => {
                rename_error.set(None);
                failure.set(None);
                done.set(None);
                password_missing.set(false);
                rename.dispatch_local((id, label.to_owned()));
            }
            Err(problem) => rename_error.set(Some(label_problem_text(i18n, problem))),
        }
    };
    let status = Signal::derive(move || {
        done.get().map(|d| match d {
            Done::Added => t_string!(i18n, passkey.added).to_string(),
            Done::Renamed => t_string!(i18n, passkey.renamed).to_string(),
            Done::Removed => t_string!(i18n, passkey.removed).to_string(),
        })
    });
    let failure_text = move || {
        if password_missing.get() {
            return Some(t_string!(i18n, passkey.password_missing).to_string());
        }
        failure.get().map(|f| match f {
            Failure::Api(e) if e.code() == Some(ErrorCode::BadCredentials) => {
                t_string!(i18n, passkey.wrong_password).to_string()
            }
            Failure::Api(e) if e.code() == Some(ErrorCode::TooManySignInAttempts) => {
                crate::errors::too_many_passwords_text(i18n, &e)
            }
            Failure::Api(e) if e.code() == Some(ErrorCode::NotFound) => {
                t_string!(i18n, passkey.gone).to_string()
            }
            Failure::Api(e) => error_text(i18n, &e),
            Failure::Passkey(e) => passkey_error_text(i18n, e),
        })
    };
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, passkey.title).to_string())>
            <div class="kp-stack">
                <p>{move || t_string!(i18n, passkey.intro)}</p>
                <div tabindex="-1" node_ref=listed>
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        match passkeys.await {
                            Ok(list) if list.is_empty() => view! { <p>{move || t_string!(i18n, passkey.empty)}</p> }.into_any(),
                            Ok(list) => {
                                let only = list.len() == 1;
                                view! {
                                    <ul class="kp-checks" aria-label=move || t_string!(i18n, passkey.list_label)>
                                        {list.into_iter().map(|p| view! {
                                            <PasskeyItem passkey=p only=only asking=asking renaming=renaming busy=busy/>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                            Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| passkeys.refetch())/> }.into_any(),
                        }
                    })}
                </Suspense>
                </div>
                <Toast message=status/>
                <Dialog open=Signal::derive(move || asking.with(Option::is_some))
                    on_dismiss=Callback::new(move |_| asking.set(None))
                    heading=ViewFn::from(move || asking.with(|a| a.as_ref().map(|r| {
                        t!(i18n, passkey.remove_title, name = labels::typed(r.name.clone()))
                    })).into_any())>
                    <p>{move || t_string!(i18n, passkey.remove_message)}</p>
                    {move || asking.with(|a| a.as_ref().is_some_and(|r| r.only)).then(|| view! {
                        <p><strong>{move || t_string!(i18n, passkey.remove_only)}</strong></p>
                    })}
                    <div class="kp-actions">
                        <Button autofocus=true on_click=Callback::new(move |_| asking.set(None))>
                            {move || t_string!(i18n, passkey.keep)}
                        </Button>
                        <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| {
                            if let Some(removal) = asking.get_untracked() {
                                failure.set(None);
                                done.set(None);
                                password_missing.set(false);
                                remove.dispatch_local(removal.id);
                            }
                            asking.set(None);
                        })>
                            {move || t_string!(i18n, passkey.remove_confirm)}
                        </Button>
                    </div>
                </Dialog>
                <Dialog open=Signal::derive(move || renaming.with(Option::is_some))
                    on_dismiss=Callback::new(move |_| renaming.set(None))
                    heading=ViewFn::from(move || renaming.with(|r| r.as_ref().map(|r| {
                        t!(i18n, passkey.rename_title, name = labels::typed(r.name.clone()))
                    })).into_any())>
                    <form class="kp-stack" novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        submit_rename();
                    }>
                        <TextField id="passkey-new-name" autofocus=true
                            label=Signal::derive(move || t_string!(i18n, passkey.name_label).to_string())
                            hint=Signal::derive(move || Some(t_string!(i18n, passkey.name_hint).to_string()))
                            value=new_name autocomplete="off" max_chars=PASSKEY_LABEL_MAX
                            error=rename_error/>
                        <div class="kp-actions">
                            <Button submit=true disabled=rename.pending()>
                                {move || if rename.pending().get() { t_string!(i18n, passkey.rename_saving) } else { t_string!(i18n, passkey.rename_save) }}
                            </Button>
                            <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| renaming.set(None))>
                                {move || t_string!(i18n, passkey.rename_cancel)}
                            </Button>
                        </div>
                    </form>
                </Dialog>
                <form class="kp-stack" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    failure.set(None);
                    done.set(None);
                    let label = match passkey_label(&name.get_untracked(), false) {
                        Ok(label) => label.to_owned(),
                        Err(problem) => {
                            name_problem.set(Some(problem));
                            return;
                        }
                    };
                    name_problem.set(None);
                    let typed = password.get_untracked();
                    password_missing.set(typed.is_empty());
                    if !typed.is_empty() {
                        add.dispatch_local((typed, label));
                    }
                }>
                    <TextField id="passkey-name"
                        label=Signal::derive(move || t_string!(i18n, passkey.name_label).to_string())
                        hint=Signal::derive(move || Some(t_string!(i18n, passkey.name_hint).to_string()))
                        value=name autocomplete="off" max_chars=PASSKEY_LABEL_MAX
                        error=Signal::derive(move || name_problem.get().map(|p| label_problem_text(i18n, p)))/>
                    <p class="kp-hint">{move || t_string!(i18n, passkey.password_hint)}</p>
                    <TextField id="passkey-password" label=Signal::derive(move || t_string!(i18n, passkey.password_label).to_string())
                        value=password password=true autocomplete="current-password"/>
                    {move || failure_text().map(|text| view! { <p class="kp-form-error" role="alert">{text}</p> })}
                    <Button submit=true disabled=add.pending()>
                        {move || if add.pending().get() { t_string!(i18n, passkey.adding) } else { t_string!(i18n, passkey.add) }}
                    </Button>
                </form>
            </div>
        </Card>
    }
}

#[component]
fn PasskeyItem(
    passkey: PasskeyInfo,
    /// The account's only passkey.
    only: bool,
    asking: RwSignal<Option<Removal>>,
    renaming: RwSignal<Option<Renaming>>,
    /// A rename or a removal is under way.
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PasskeyInfo {
        id,
        label,
        created_at,
        last_used_at,
    } = passkey;
    let label = StoredValue::new(label);
    let name = move || {
        label.with_value(|l| {
            if l.is_empty() {
                t_string!(i18n, passkey.unnamed).to_string()
            } else {
                l.clone()
            }
        })
    };
    view! {
        <li class="kp-checks__item">
            <span class="kp-checks__who" lang=move || crate::labels::typed_lang(i18n.get_locale(), &name())>{name}</span>
            <span class="kp-checks__when">{move || t_string!(i18n, passkey.created, date = format::day_of(i18n.get_locale(), created_at)).to_string()}</span>
            <span class="kp-checks__where">{move || match last_used_at {
                Some(t) => t_string!(i18n, passkey.last_used, time = format::date_time(i18n.get_locale(), t)).to_string(),
                None => t_string!(i18n, passkey.never_used).to_string(),
            }}</span>
            <span class="kp-checks__actions">
                <button type="button" class="kp-text-button" disabled=move || busy.get()
                    aria-label=move || t_string!(i18n, passkey.rename_label, name = name()).to_string()
                    on:click={
                        let id = id.clone();
                        move |_| renaming.set(Some(Renaming { id: id.clone(), label: label.get_value(), name: name() }))
                    }>
                    {move || t_string!(i18n, passkey.rename)}
                </button>
                <button type="button" class="kp-text-button" disabled=move || busy.get()
                    aria-label=move || t_string!(i18n, passkey.remove_label, name = name()).to_string()
                    on:click=move |_| asking.set(Some(Removal { id: id.clone(), name: name(), only }))>
                    {move || t_string!(i18n, passkey.remove)}
                </button>
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_told_by_its_user_agent() {
        let cases = [
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                5,
                Some(DeviceKind::Iphone),
            ),
            // iPadOS's Safari says it is a Mac; its touch screen says otherwise.
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                5,
                Some(DeviceKind::Ipad),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                0,
                Some(DeviceKind::Mac),
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                5,
                Some(DeviceKind::AndroidPhone),
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                5,
                Some(DeviceKind::AndroidTablet),
            ),
            (
                "Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile",
                5,
                Some(DeviceKind::HarmonyPhone),
            ),
            (
                "Mozilla/5.0 (Tablet; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1",
                5,
                Some(DeviceKind::HarmonyTablet),
            ),
            (
                "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0 Mobile Safari/537.36",
                5,
                Some(DeviceKind::HarmonyPhone),
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                0,
                Some(DeviceKind::Chromebook),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                0,
                Some(DeviceKind::Windows),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/148.0.0.0 Safari/537.36",
                0,
                Some(DeviceKind::Linux),
            ),
            ("curl/8.5.0", 0, None),
        ];
        for (agent, touch_points, kind) in cases {
            assert_eq!(device_kind(agent, touch_points), kind, "{agent}");
        }
    }
}
