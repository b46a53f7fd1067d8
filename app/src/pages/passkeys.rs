//! The passkeys on "me": add one with the phone's unlock, see when each was last used,
//! remove one.

use kapok_api::{ErrorCode, NewPasskey, PasskeyInfo, PasswordConfirmation, client::ClientError};
use kapok_components::{Button, ButtonVariant, Card, Dialog, Loading, TextField, Toast};
use leptos::prelude::*;

use crate::{
    api::api,
    errors::{error_text, passkey_error_text},
    format,
    i18n::{t, t_string, use_i18n},
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

#[derive(Clone, Copy, Debug, PartialEq)]
enum Done {
    Added,
    Removed,
}

async fn add_passkey(password: String) -> Result<PasskeyInfo, Failure> {
    let ceremony = api()
        .passkey_register_start(&PasswordConfirmation { password })
        .await?;
    let answer = webauthn::create(&ceremony).await?;
    Ok(api()
        .passkey_register_finish(&NewPasskey {
            answer,
            label: String::new(),
        })
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
    let add = Action::new_local(|password: &String| add_passkey(password.clone()));
    // A removal waits for a "yes": one stray tap must not take away how someone confirms.
    let asking = RwSignal::new(None::<Removal>);
    // Where focus goes once the removed passkey's button is gone.
    let listed = NodeRef::<leptos::html::Div>::new();
    let remove = Action::new_local(|id: &String| {
        let id = id.clone();
        async move {
            api().remove_passkey(&id).await?;
            // If this phone holds it, it stops offering a passkey that no longer signs in.
            crate::webauthn::forget(&id);
            Ok(())
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
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            match result {
                Ok(()) => {
                    done.set(Some(Done::Removed));
                    passkeys.refetch();
                    if let Some(list) = listed.get_untracked() {
                        let _ = list.focus();
                    }
                }
                Err(e) => failure.set(Some(Failure::Api(e))),
            }
        }
    });
    let status = Signal::derive(move || {
        done.get().map(|d| match d {
            Done::Added => t_string!(i18n, passkey.added).to_string(),
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
                t_string!(i18n, passkey.too_many_passwords).to_string()
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
                                            <PasskeyItem passkey=p only=only asking=asking busy=remove.pending()/>
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
                                remove.dispatch_local(removal.id);
                            }
                            asking.set(None);
                        })>
                            {move || t_string!(i18n, passkey.remove_confirm)}
                        </Button>
                    </div>
                </Dialog>
                <form class="kp-stack" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    failure.set(None);
                    done.set(None);
                    let typed = password.get_untracked();
                    password_missing.set(typed.is_empty());
                    if !typed.is_empty() {
                        add.dispatch_local(typed);
                    }
                }>
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
    /// A removal is under way.
    busy: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PasskeyInfo {
        id,
        label,
        created_at,
        last_used_at,
    } = passkey;
    let name = StoredValue::new(label);
    let name = move || {
        name.with_value(|l| {
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
            <button type="button" class="kp-text-button" disabled=move || busy.get()
                aria-label=move || t_string!(i18n, passkey.remove_label, name = name()).to_string()
                on:click=move |_| asking.set(Some(Removal { id: id.clone(), name: name(), only }))>
                {move || t_string!(i18n, passkey.remove)}
            </button>
        </li>
    }
}
