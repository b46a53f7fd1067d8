//! "Me": who is signed in, display settings, and sign-out. The same page in every shell.

use kapok_api::{EnterpriseRole, client::ClientError};
use kapok_components::{Button, ButtonVariant, Card, Dialog};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    api::api,
    auth::{Auth, AuthState, Notice},
    errors::error_text,
    i18n::{t_string, use_i18n},
    page::Page,
    pages::{passkeys::PasskeysCard, password::PasswordCard, sessions::SessionsCard},
    settings::DisplaySettings,
    shells::persona_label,
};

#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let navigate = use_navigate();
    // `true`: on every device.
    // `Ok(false)`: signed out here, the server still to be told (no network).
    let sign_out = Action::new_local(|everywhere: &bool| {
        let everywhere = *everywhere;
        async move {
            if everywhere {
                // Other devices' sessions can only be ended by the server.
                let ended = api().sign_out_everywhere().await;
                if ended.is_ok() {
                    crate::device::forget_on_sign_out(crate::device::SignedOut::OnPurpose);
                }
                ended.map(|()| true)
            } else {
                crate::auth::sign_out_here(crate::device::SignedOut::OnPurpose).await
            }
        }
    });
    let failure = RwSignal::new(None::<ClientError>);
    // Signing out everywhere is asked about first: it signs out phones not in hand.
    let asking = RwSignal::new(false);
    Effect::new(move |_| match sign_out.value().get() {
        Some(Ok(told)) => {
            crate::unsaved::forget();
            auth.notice.set(Some(if told {
                Notice::SignedOut
            } else {
                Notice::SignedOutOffline
            }));
            auth.state.set(AuthState::SignedOut);
            navigate("/", Default::default());
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let sign_out_button = move |everywhere: bool| {
        let label = move || {
            if sign_out.pending().get() && sign_out.input().get() == Some(everywhere) {
                t_string!(i18n, me.signing_out)
            } else if everywhere {
                t_string!(i18n, me.sign_out_everywhere)
            } else {
                t_string!(i18n, me.sign_out)
            }
        };
        view! {
            <Button
                variant=ButtonVariant::Secondary
                disabled=sign_out.pending()
                on_click=Callback::new(move |_| {
                    failure.set(None);
                    if everywhere {
                        asking.set(true);
                    } else {
                        sign_out.dispatch_local(false);
                    }
                })
            >
                {label}
            </Button>
        }
    };
    let me = move || auth.me();
    // Bumped when the password changes, which signs out every other device.
    let sessions_changed = RwSignal::new(0u32);
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, me.title).to_string())>
            <div class="kp-stack">
                {move || me().map(|me| {
                    let persona = me.user.persona;
                    view! {
                        <Card title=Signal::derive(move || t_string!(i18n, me.profile).to_string())>
                            <dl class="kp-facts">
                                <dt>{move || t_string!(i18n, me.name)}</dt>
                                <dd>{crate::labels::typed(me.user.display_name.clone())}</dd>
                                <dt>{move || t_string!(i18n, me.username)}</dt>
                                <dd class="kp-code">{me.user.username.clone()}</dd>
                                <dt>{move || t_string!(i18n, me.account_type)}</dt>
                                <dd>{move || persona_label(persona, i18n)}</dd>
                                {(!me.enterprises.is_empty()).then(|| view! {
                                    <dt>{move || t_string!(i18n, me.companies)}</dt>
                                    {me.enterprises.iter().map(|m| {
                                        let role = m.role;
                                        let name = m.enterprise.name.clone();
                                        view! {
                                            <dd>{crate::labels::typed(name)}" · "{move || match role {
                                                EnterpriseRole::LegalRepresentative => t_string!(i18n, home.role_legal_representative),
                                                EnterpriseRole::Staff => t_string!(i18n, home.role_staff),
                                            }}</dd>
                                        }
                                    }).collect_view()}
                                })}
                            </dl>
                        </Card>
                    }
                })}
                <PasskeysCard/>
                <PasswordCard on_changed=Callback::new(move |()| sessions_changed.update(|n| *n += 1))/>
                <SessionsCard changed=sessions_changed/>
                <Card title=Signal::derive(move || t_string!(i18n, me.settings).to_string())>
                    <DisplaySettings/>
                </Card>
                {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
                {sign_out_button(false)}
                <p class="kp-hint">{move || t_string!(i18n, me.sign_out_everywhere_hint)}</p>
                {sign_out_button(true)}
                <Dialog open=asking on_dismiss=Callback::new(move |_| asking.set(false))
                    title=Signal::derive(move || t_string!(i18n, me.sign_out_everywhere_title).to_string())>
                    <p>{move || t_string!(i18n, me.sign_out_everywhere_message)}</p>
                    <div class="kp-actions">
                        <Button autofocus=true on_click=Callback::new(move |_| asking.set(false))>
                            {move || t_string!(i18n, me.stay_signed_in)}
                        </Button>
                        <Button variant=ButtonVariant::Danger on_click=Callback::new(move |_| {
                            asking.set(false);
                            sign_out.dispatch_local(true);
                        })>
                            {move || t_string!(i18n, me.sign_out_everywhere)}
                        </Button>
                    </div>
                </Dialog>
            </div>
        </Page>
    }
}
