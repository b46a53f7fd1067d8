//! The passkeys on "me": add one with the phone's unlock, see when each was last used,
//! remove one.

use kapok_api::{ErrorCode, NewPasskey, PasskeyInfo, PasswordConfirmation, client::ClientError};
use kapok_components::{Button, Card, Loading, TextField, Toast};
use leptos::prelude::*;

use crate::{
    api::api,
    errors::{error_text, passkey_error_text},
    format,
    i18n::{t_string, use_i18n},
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
                Err(e) => failure.set(Some(e)),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            match result {
                Ok(()) => {
                    done.set(Some(Done::Removed));
                    passkeys.refetch();
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
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        match passkeys.await {
                            Ok(list) if list.is_empty() => view! { <p>{move || t_string!(i18n, passkey.empty)}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="kp-checks" aria-label=move || t_string!(i18n, passkey.list_label)>
                                    {list.into_iter().map(|p| view! { <PasskeyItem passkey=p remove=remove/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| passkeys.refetch())/> }.into_any(),
                        }
                    })}
                </Suspense>
                <Toast message=status/>
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
    remove: Action<String, Result<(), ClientError>>,
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
            <span class="kp-checks__who">{name}</span>
            <span class="kp-checks__when">{move || t_string!(i18n, passkey.created, date = format::day_of(i18n.get_locale(), created_at)).to_string()}</span>
            <span class="kp-checks__where">{move || match last_used_at {
                Some(t) => t_string!(i18n, passkey.last_used, time = format::date_time(i18n.get_locale(), t)).to_string(),
                None => t_string!(i18n, passkey.never_used).to_string(),
            }}</span>
            <button type="button" class="kp-text-button" disabled=move || remove.pending().get()
                aria-label=move || t_string!(i18n, passkey.remove_label, name = name()).to_string()
                on:click=move |_| { remove.dispatch_local(id.clone()); }>
                {move || t_string!(i18n, passkey.remove)}
            </button>
        </li>
    }
}
