//! Changing the password on "me": the current one, then a new one the server judges hard to
//! guess. Every other device of the account is signed out; this one stays.

use kapok_api::{
    ErrorCode, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PasswordChange, client::ClientError,
};
use kapok_components::{Button, Card, TextField, Toast};
use leptos::prelude::*;

use crate::{
    api::api,
    auth::Auth,
    errors::{error_text, too_many_passwords_text},
    i18n::{t_string, use_i18n},
    page::focus,
};

const CURRENT: &str = "password-current";
const NEW: &str = "password-new";

/// What is wrong before anything is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Unsent {
    CurrentMissing,
    NewMissing,
    Length,
    Unchanged,
}

fn check(current: &str, new: &str) -> Option<Unsent> {
    let length = new.chars().count();
    if current.is_empty() {
        Some(Unsent::CurrentMissing)
    } else if new.is_empty() {
        Some(Unsent::NewMissing)
    } else if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&length) {
        Some(Unsent::Length)
    } else if new == current {
        Some(Unsent::Unchanged)
    } else {
        None
    }
}

/// The server's answers that are about the new password, shown under its field.
fn about_new(code: Option<ErrorCode>) -> bool {
    matches!(
        code,
        Some(
            ErrorCode::PasswordLength | ErrorCode::PasswordGuessable | ErrorCode::PasswordUnchanged
        )
    )
}

/// `on_changed` runs once the password has changed (the account's other sessions are gone).
#[component]
pub fn PasswordCard(on_changed: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let unsent = RwSignal::new(None::<Unsent>);
    let failure = RwSignal::new(None::<ClientError>);
    let changed = RwSignal::new(false);
    let change = Action::new_local(|change: &PasswordChange| {
        let change = change.clone();
        async move { api().change_password(&change).await }
    });
    Effect::new(move |_| {
        if let Some(result) = change.value().get() {
            match result {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    changed.set(true);
                    on_changed.run(());
                }
                Err(e) => {
                    let code = e.code();
                    failure.set(Some(e));
                    if code == Some(ErrorCode::BadCredentials) {
                        focus(&format!("#{CURRENT}"));
                    } else if about_new(code) {
                        focus(&format!("#{NEW}"));
                    }
                }
            }
        }
    });
    let current_error = Signal::derive(move || {
        if unsent.get() == Some(Unsent::CurrentMissing) {
            return Some(t_string!(i18n, password.current_missing).to_string());
        }
        failure
            .with(|f| f.as_ref().map(ClientError::code))
            .filter(|code| *code == Some(ErrorCode::BadCredentials))
            .map(|_| t_string!(i18n, password.wrong_current).to_string())
    });
    let new_error = Signal::derive(move || {
        match unsent.get() {
            Some(Unsent::NewMissing) => {
                return Some(t_string!(i18n, password.new_missing).to_string());
            }
            Some(Unsent::Length) => {
                return Some(t_string!(i18n, errors.password_length).to_string());
            }
            Some(Unsent::Unchanged) => {
                return Some(t_string!(i18n, errors.password_unchanged).to_string());
            }
            _ => {}
        }
        failure
            .get()
            .filter(|e| about_new(e.code()))
            .map(|e| error_text(i18n, &e))
    });
    // Anything else (too many tries, the network) is about the form as a whole.
    let form_error = move || {
        failure
            .get()
            .filter(|e| e.code() != Some(ErrorCode::BadCredentials) && !about_new(e.code()))
            .map(|e| match e.code() {
                Some(ErrorCode::TooManySignInAttempts) => too_many_passwords_text(i18n, &e),
                _ => error_text(i18n, &e),
            })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        changed.set(false);
        let (typed_current, typed_new) = (current.get_untracked(), new.get_untracked());
        let problem = check(&typed_current, &typed_new);
        unsent.set(problem);
        match problem {
            Some(Unsent::CurrentMissing) => focus(&format!("#{CURRENT}")),
            Some(_) => focus(&format!("#{NEW}")),
            None => {
                change.dispatch_local(PasswordChange {
                    current_password: typed_current,
                    new_password: typed_new,
                });
            }
        }
    };
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, password.title).to_string())>
            <form class="kp-stack" novalidate on:submit=submit>
                <p>{move || t_string!(i18n, password.intro)}</p>
                // Tells a password manager whose password this is, so it updates the right one.
                <input type="text" hidden readonly autocomplete="username" name="username"
                    prop:value=move || Auth::get().me().map(|me| me.user.username).unwrap_or_default()/>
                <TextField id=CURRENT label=Signal::derive(move || t_string!(i18n, password.current_label).to_string())
                    value=current password=true autocomplete="current-password" error=current_error/>
                <TextField id=NEW label=Signal::derive(move || t_string!(i18n, password.new_label).to_string())
                    hint=Signal::derive(move || Some(t_string!(i18n, password.new_hint).to_string()))
                    value=new password=true autocomplete="new-password" error=new_error/>
                {move || form_error().map(|text| view! { <p class="kp-form-error" role="alert">{text}</p> })}
                <Toast message=Signal::derive(move || changed.get().then(|| t_string!(i18n, password.changed).to_string()))/>
                <Button submit=true disabled=change.pending()>
                    {move || if change.pending().get() { t_string!(i18n, password.changing) } else { t_string!(i18n, password.submit) }}
                </Button>
            </form>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_in_the_order_a_person_fills_it() {
        assert_eq!(check("", ""), Some(Unsent::CurrentMissing));
        assert_eq!(check("old", ""), Some(Unsent::NewMissing));
        assert_eq!(check("old", "short"), Some(Unsent::Length));
        // Characters, not bytes: seven Chinese characters are too few, eight are enough.
        assert_eq!(check("old", "木棉花开在天河"), Some(Unsent::Length));
        assert_eq!(check("old", "木棉花开在天河路"), None);
        assert_eq!(
            check("same-old-words", "same-old-words"),
            Some(Unsent::Unchanged)
        );
        assert_eq!(check("old", &"x".repeat(129)), Some(Unsent::Length));
    }
}
