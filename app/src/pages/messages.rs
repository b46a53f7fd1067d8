//! One inbox for every persona: application progress, delegation requests and uses, licences
//! about to run out. Kept on the server, so it survives sign-out and a lost phone.

use kapok_api::{DelegationKind, Notification, NotificationKind, Persona, client::ClientError};
use kapok_components::{Button, ButtonVariant, EmptyState, Loading, Toast};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::api,
    errors::error_text,
    format,
    i18n::{Locale, t, t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
};

/// How many messages are unread, for the tab bar; refreshed by the shell as pages change.
#[derive(Clone, Copy)]
pub struct Unread(pub RwSignal<u32>);

impl Unread {
    pub fn provide() -> Unread {
        let unread = Unread(RwSignal::new(0));
        provide_context(unread);
        unread
    }

    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(n) = api().notifications().await {
                self.0.set(n.unread);
            }
        });
    }
}

/// "3 unread messages", for the tab's accessible name.
pub fn unread_text(i18n: leptos_i18n::I18nContext<Locale>, n: u32) -> String {
    format::counted(
        i18n.get_locale(),
        n as i64,
        |count| t_string!(i18n, messages.unread_count.one, count = count).to_string(),
        |count| t_string!(i18n, messages.unread_count.other, count = count).to_string(),
    )
}

#[component]
pub fn MessagesPage(persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let unread = use_context::<Unread>();
    let list = LocalResource::new(|| async { api().notifications().await });
    Effect::new(move |_| {
        if let (Some(Ok(n)), Some(unread)) = (list.get(), unread) {
            unread.0.set(n.unread);
        }
    });
    let mark_all = Action::new_local(|_: &()| async { api().mark_all_read().await });
    let failure = RwSignal::new(None::<ClientError>);
    let all_read = RwSignal::new(None::<String>);
    Effect::new(move |_| match mark_all.value().get() {
        Some(Ok(())) => {
            failure.set(None);
            all_read.set(Some(t_string!(i18n, messages.all_read).to_string()));
            list.refetch();
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, messages.title).to_string())>
            <Toast message=Signal::derive(move || all_read.get())/>
            {move || match list.get() {
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| list.refetch())/> }.into_any(),
                Some(Ok(n)) if n.items.is_empty() => view! {
                    <EmptyState
                        title=Signal::derive(move || t_string!(i18n, messages.empty).to_string())
                        message=Signal::derive(move || t_string!(i18n, messages.empty_hint).to_string())
                    />
                }.into_any(),
                Some(Ok(n)) => view! {
                    <div class="kp-stack">
                        {(n.unread > 0).then(|| view! {
                            <Button variant=ButtonVariant::Secondary disabled=mark_all.pending()
                                on_click=Callback::new(move |ev: leptos::ev::MouseEvent| {
                                    crate::page::keep_focus_after(ev.current_target());
                                    mark_all.dispatch_local(());
                                })>
                                {move || t_string!(i18n, messages.mark_all)}
                            </Button>
                        })}
                        {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
                        <ul class="kp-service-list">
                            {n.items.into_iter().map(|m| view! { <Message message=m persona=persona/> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn Message(message: Notification, persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let root = persona.home_path();
    let href = match &message.kind {
        NotificationKind::Application { application_id, .. } => match persona {
            Persona::Official => format!("/official/inbox/{application_id}"),
            _ => format!("{root}/applications/{application_id}"),
        },
        NotificationKind::DelegationRequest { request_id, .. } => {
            format!("/authorize?request={request_id}")
        }
        NotificationKind::DelegationUse { .. } => match persona {
            Persona::Resident => "/resident/family".to_string(),
            _ => "/enterprise/delegation".to_string(),
        },
        NotificationKind::DelegationDecided { delegation, .. }
        | NotificationKind::GrantRevoked { delegation, .. } => match delegation {
            DelegationKind::Family => "/resident/family".to_string(),
            DelegationKind::Enterprise => "/enterprise/delegation".to_string(),
        },
        NotificationKind::LicenceExpiring { licence_id, .. } => {
            format!("{root}/wallet/{licence_id}")
        }
        NotificationKind::Policy { policy_id, .. } => {
            format!("/enterprise/policies#policy-{policy_id}")
        }
        NotificationKind::PasskeyAdded { .. }
        | NotificationKind::PasswordChanged {}
        | NotificationKind::SignInPaused { .. } => format!("{root}/me"),
    };
    let kind = message.kind.clone();
    let text = move || match &kind {
        NotificationKind::Application {
            service,
            status,
            applicant_name: None,
            ..
        } => t_string!(
            i18n,
            messages.application,
            service = labels::service_name(i18n, *service),
            status = labels::application_status(i18n, *status)
        )
        .to_string()
        .into_any(),
        NotificationKind::Application {
            service,
            status,
            applicant_name: Some(name),
            ..
        } => t!(
            i18n,
            messages.relatives_application,
            service = labels::service_name(i18n, *service),
            name = labels::typed(name.clone()),
            status = labels::application_status(i18n, *status)
        )
        .into_any(),
        NotificationKind::DelegationRequest { requester_name, .. } => t!(
            i18n,
            messages.delegation_request,
            name = labels::typed(requester_name.clone())
        )
        .into_any(),
        NotificationKind::DelegationUse { actor_name, .. } => t!(
            i18n,
            messages.delegation_use,
            name = labels::typed(actor_name.clone())
        )
        .into_any(),
        NotificationKind::DelegationDecided {
            approver_name,
            approved,
            ..
        } => {
            let name = labels::typed(approver_name.clone());
            if *approved {
                t!(i18n, messages.delegation_approved, name = name).into_any()
            } else {
                t!(i18n, messages.delegation_declined, name = name).into_any()
            }
        }
        NotificationKind::GrantRevoked { revoked_by, .. } => t!(
            i18n,
            messages.grant_revoked,
            name = labels::typed(revoked_by.clone())
        )
        .into_any(),
        NotificationKind::LicenceExpiring {
            licence_type,
            valid_until,
            ..
        } => t_string!(
            i18n,
            messages.licence_expiring,
            licence = labels::licence_type(i18n, *licence_type),
            date = format::date(i18n.get_locale(), valid_until)
        )
        .to_string()
        .into_any(),
        NotificationKind::Policy { title, .. } => t_string!(
            i18n,
            messages.policy,
            title = labels::localized(i18n, title)
        )
        .to_string()
        .into_any(),
        NotificationKind::PasskeyAdded { label, .. } if label.is_empty() => {
            t_string!(i18n, messages.passkey_added)
                .to_string()
                .into_any()
        }
        NotificationKind::PasskeyAdded { label, .. } => t!(
            i18n,
            messages.passkey_added_named,
            name = labels::typed(label.clone())
        )
        .into_any(),
        NotificationKind::PasswordChanged {} => t_string!(i18n, messages.password_changed)
            .to_string()
            .into_any(),
        NotificationKind::SignInPaused { until } => t_string!(
            i18n,
            messages.sign_in_paused,
            time = format::date_time(i18n.get_locale(), *until)
        )
        .to_string()
        .into_any(),
    };
    let read = RwSignal::new(message.read);
    let id = message.id.clone();
    let at = message.at;
    let open = move |_| {
        if !read.get_untracked() {
            read.set(true);
            let id = id.clone();
            spawn_local(async move {
                let _ = api().mark_read(&id).await;
            });
        }
    };
    view! {
        <li class="kp-service" data-read=move || read.get().to_string()>
            <a class="kp-application-link" href=href on:click=open>
                {move || (!read.get()).then(|| view! { <span class="kp-badge" data-status="expiring">{move || t_string!(i18n, messages.unread)}</span> })}
                <span class="kp-service__name">{text}</span>
                <span class="kp-checks__when">{move || format::date_time(i18n.get_locale(), at)}</span>
            </a>
        </li>
    }
}
