//! Services: the catalogue, the application form, the list of applications and each one's
//! timeline. Residents file for themselves, or for a relative who gave them the authority;
//! enterprise users file for their company.

use std::time::Duration;

use kapok_api::{
    Application, ApplicationForm, ApplicationStatus, ApplicationUpdate, DelegationKind,
    EnterpriseRole, FieldError, FieldProblem, FoodBusinessKind, FormField, GrantStatus, HolderKind,
    LicenceStatus, LicenceSummary, NewApplication, Persona, RecordPurpose, RenewalReason, Scope,
    Service, ServiceId, Topic, client::ClientError,
};
use kapok_components::{Button, ButtonVariant, Card, EmptyState, Loading};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::api,
    auth::Auth,
    clock,
    errors::error_text,
    format,
    i18n::{t, t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
};

/// The path every services page of a shell hangs from.
fn root(persona: Persona) -> &'static str {
    persona.home_path()
}

// ---------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------

#[component]
pub fn ServicesPage(persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let services = LocalResource::new(move || {
        let q = typed.get();
        async move { api().services(&q).await }
    });
    let searching = move || !typed.get().trim().is_empty();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, services.title).to_string())>
            <div class="kp-stack">
                <p><a class="kp-link" href=format!("{}/applications", root(persona))>{move || my_applications(i18n, persona)}</a></p>
                <form role="search" class="kp-search" on:submit=move |ev| ev.prevent_default()>
                    <label class="kp-plain-field">
                        <span>{move || t_string!(i18n, services.search_label)}</span>
                        <input type="search" name="q" autocomplete="off" aria-describedby="search-hint"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </label>
                    <p id="search-hint" class="kp-hint">{move || t_string!(i18n, services.search_hint)}</p>
                </form>
                <Transition fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || services.get().map(|result| match result {
                        Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| services.refetch())/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="kp-notice" role="status">{move || t_string!(i18n, services.no_results)}</p>
                        }.into_any(),
                        Ok(list) if searching() => view! {
                            <ServiceGroup title=Signal::derive(move || t_string!(i18n, services.results).to_string()) services=list persona=persona/>
                        }.into_any(),
                        Ok(list) => grouped(list, persona).into_any(),
                    })}
                </Transition>
            </div>
        </Page>
    }
}

fn my_applications(
    i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
    persona: Persona,
) -> &'static str {
    match persona {
        Persona::Enterprise => t_string!(i18n, services.company_applications),
        _ => t_string!(i18n, services.my_applications),
    }
}

/// The most used services first, then the rest by topic.
fn grouped(list: Vec<Service>, persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let (frequent, rest): (Vec<Service>, Vec<Service>) =
        list.into_iter().partition(|s| s.high_frequency);
    let mut topics: Vec<Topic> = rest.iter().map(|s| s.topic).collect();
    topics.sort();
    topics.dedup();
    view! {
        {(!frequent.is_empty()).then(|| view! {
            <ServiceGroup title=Signal::derive(move || t_string!(i18n, services.frequent).to_string()) services=frequent persona=persona/>
        })}
        {topics.into_iter().map(|topic| {
            let services: Vec<Service> = rest.iter().filter(|s| s.topic == topic).cloned().collect();
            view! {
                <ServiceGroup title=Signal::derive(move || labels::topic(i18n, topic).to_string()) services=services persona=persona/>
            }
        }).collect_view()}
    }
}

#[component]
fn ServiceGroup(
    #[prop(into)] title: Signal<String>,
    services: Vec<Service>,
    persona: Persona,
) -> impl IntoView {
    view! {
        <section class="kp-stack" aria-label=move || title.get()>
            <h2 class="kp-section-title">{move || title.get()}</h2>
            <ul class="kp-service-list">
                {services.into_iter().map(|s| view! { <ServiceItem service=s persona=persona/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ServiceItem(service: Service, persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let id = service.id;
    let days = service.working_days as i64;
    let apply = service
        .online_form
        .then(|| format!("{}/services/{}", root(persona), id.as_str()));
    view! {
        <li class="kp-service" data-service=id.as_str()>
            <h3 class="kp-service__name">{move || labels::service_name(i18n, id)}</h3>
            <p class="kp-service__facts">
                <span class="kp-badge" data-status=if service.fully_online { "valid" } else { "expiring" }>
                    {move || if service.fully_online { t_string!(i18n, services.fully_online) } else { t_string!(i18n, services.visit_needed) }}
                </span>
                " "
                <span>{move || format::counted(
                    i18n.get_locale(),
                    days,
                    |count| t_string!(i18n, services.days.one, count = count).to_string(),
                    |count| t_string!(i18n, services.days.other, count = count).to_string(),
                )}</span>
            </p>
            <p class="kp-service__needs">
                <strong>{move || t_string!(i18n, services.needs)}</strong>" "
                {move || labels::service_needs(i18n, id)}
            </p>
            {apply.map(|href| view! {
                <a class="kp-button-link" href=href
                    aria-label=move || t_string!(i18n, services.apply_label, service = labels::service_name(i18n, id)).to_string()>
                    {move || t_string!(i18n, services.apply)}
                </a>
            })}
        </li>
    }
}

// ---------------------------------------------------------------------------------------
// Filing
// ---------------------------------------------------------------------------------------

/// The company an enterprise user files for, and whether they hold the authority to.
#[derive(Clone, Debug, PartialEq)]
struct Company {
    id: String,
    name: String,
    authorised: bool,
}

fn company() -> Option<Company> {
    let me = Auth::get().me()?;
    let membership = me.enterprises.first()?;
    let id = membership.enterprise.id.clone();
    let authorised = membership.role == EnterpriseRole::LegalRepresentative
        || me.grants.iter().any(|g| {
            g.kind == DelegationKind::Enterprise
                && g.principal == id
                && g.status == GrantStatus::Active
                && g.scopes.contains(&Scope::Applications)
        });
    Some(Company {
        id,
        name: membership.enterprise.name.clone(),
        authorised,
    })
}

/// A relative the caller may file for: one who gave them a family grant, in force now, with
/// the applications scope.
#[derive(Clone, Debug, PartialEq)]
struct RelativeToFileFor {
    id: String,
    name: String,
}

fn relatives() -> Vec<RelativeToFileFor> {
    let Some(me) = Auth::get().me() else {
        return Vec::new();
    };
    let mut found: Vec<RelativeToFileFor> = Vec::new();
    for grant in me.grants {
        let usable = grant.kind == DelegationKind::Family
            && grant.status == GrantStatus::Active
            && grant.scopes.contains(&Scope::Applications);
        if usable && !found.iter().any(|r| r.id == grant.principal) {
            found.push(RelativeToFileFor {
                id: grant.principal,
                name: grant.principal_name,
            });
        }
    }
    found
}

#[component]
pub fn ApplyPage(persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let service = params.with_untracked(|p| p.get("service").and_then(|s| ServiceId::parse(&s)));
    let form = service.and_then(ApplicationForm::empty);
    let title = Signal::derive(move || {
        service
            .map(|s| labels::service_name(i18n, s))
            .unwrap_or_else(|| t_string!(i18n, not_found.title))
            .to_string()
    });
    let back = match persona {
        Persona::Enterprise => "/enterprise/services",
        _ => "/resident/services",
    };
    view! {
        <Page title=title back=back>
            {match form {
                Some(form) => view! { <Editor persona=persona form=form existing=None/> }.into_any(),
                None => view! {
                    <EmptyState
                        title=Signal::derive(move || t_string!(i18n, not_found.title).to_string())
                        message=Signal::derive(move || t_string!(i18n, not_found.message).to_string())
                    >
                        <a class="kp-link" href=back>{move || t_string!(i18n, services.title)}</a>
                    </EmptyState>
                }.into_any(),
            }}
        </Page>
    }
}

/// A view of one field of the form being edited: what it shows and how it changes.
macro_rules! lens {
    ($form:ident, $variant:ident, $field:ident) => {
        (
            Signal::derive(move || {
                $form.with(|f| match f {
                    ApplicationForm::$variant(x) => x.$field.clone(),
                    _ => Default::default(),
                })
            }),
            Callback::new(move |v| {
                $form.update(|f| {
                    if let ApplicationForm::$variant(x) = f {
                        x.$field = v;
                    }
                })
            }),
        )
    };
}

/// The form of a new application, a draft, or a returned one: saved as a draft or sent.
/// A form left unsent, as kept for its page (`crate::unsaved`).
#[derive(serde::Serialize, serde::Deserialize)]
struct Unsent {
    form: ApplicationForm,
    /// The relative it is for, if not the filer.
    for_whom: Option<String>,
    /// The key its drafts and its sending go under (none in one kept by an older version).
    #[serde(default)]
    key: Option<String>,
}

#[component]
fn Editor(
    persona: Persona,
    form: ApplicationForm,
    /// The application being changed; `None` for a new one.
    existing: Option<Application>,
    /// Called with the application as saved, when it stays on this page (a draft or a
    /// returned application being changed); a new one opens its own page instead.
    #[prop(optional)]
    on_saved: Option<Callback<Application>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let company = (persona == Persona::Enterprise).then(company).flatten();
    // Whom a new resident's application may be for: themself, or a relative who gave them
    // the authority. One being changed is for whom it was filed.
    let existing_is_new = existing.is_none();
    let relatives = if persona == Persona::Resident && existing_is_new {
        relatives()
    } else {
        Vec::new()
    };
    // What they had typed here and not sent (before their session ended, or the page was left
    // or reloaded), given back, with whom it was for. Only a form they changed from how it
    // opened (empty, or as last saved) is worth keeping: a licence the form chose for them
    // (the only one that fits) is chosen again when it opens.
    let kept = crate::unsaved::take::<Unsent>();
    let restored = RwSignal::new(kept.as_ref().map(|(_, why)| *why));
    let opened = form.clone();
    let opened_form = form.clone();
    let (form, kept_for, kept_key) = match kept {
        Some((kept, _)) => (kept.form, kept.for_whom, kept.key),
        None => (form, None, None),
    };
    // One key for this form's drafts and one for sending it, the same on every try: a try
    // repeated after its answer was lost files nothing twice. It is kept with the form, so
    // a form given back after its page was left or reloaded while it was being sent (the
    // answer then reached no page) goes under the same key, and finds the application that
    // send filed rather than filing another.
    let key = kept_key.unwrap_or_else(crate::device::new_key);
    let for_whom = RwSignal::new(match &existing {
        Some(a) => a.for_relative.clone(),
        // Still one who may be filed for.
        None => kept_for.filter(|id| relatives.iter().any(|r| &r.id == id)),
    });
    let filed_for_name = existing
        .as_ref()
        .filter(|a| a.for_relative.is_some())
        .map(|a| a.applicant_name.clone());
    let relative_name = {
        let relatives = relatives.clone();
        let filed_for_name = filed_for_name.clone();
        Signal::derive(move || {
            let id = for_whom.get()?;
            relatives
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .or_else(|| filed_for_name.clone())
        })
    };
    let form = RwSignal::new(form);
    let unsent = {
        let opened = opened.clone();
        let opened = typed(&opened);
        let key = key.clone();
        crate::unsaved::guard(move || {
            let changed = form.try_get_untracked().filter(|f| typed(f) != opened)?;
            Some(Unsent {
                form: changed,
                for_whom: for_whom.try_get_untracked().flatten(),
                key: Some(key.clone()),
            })
        })
    };
    let start_again = Callback::new({
        let opened = opened.clone();
        move |()| {
            form.set(opened.clone());
            restored.set(None);
        }
    });
    let shown_errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ClientError>);
    // The wallet as the wallet page keeps it: with no network or a failing server, the copy
    // saved on the device, so the licences to reuse can still be chosen.
    let wallet = LocalResource::new(|| {
        crate::pages::wallet::fetch_or_saved(crate::device::personal("wallet"), async {
            api().wallet().await
        })
    });
    // A relative's licences, when the application is for them.
    let theirs = LocalResource::new(move || {
        let relative = for_whom.get();
        async move {
            match relative {
                Some(relative) => Some(api().relative_licences(&relative).await),
                None => None,
            }
        }
    });
    let wallet_list = Signal::derive(move || match for_whom.get() {
        None => wallet
            .get()
            .and_then(|r| r.ok())
            .map(|f| filers_own(f.data)),
        Some(_) => theirs.get().flatten().and_then(|r| r.ok()),
    });
    let wallet_failed = Signal::derive(move || match for_whom.get() {
        None => wallet.get().and_then(|r| r.err()),
        Some(_) => theirs.get().flatten().and_then(|r| r.err()),
    });
    let reload_wallet = Callback::new(move |_| {
        if for_whom.get_untracked().is_some() {
            theirs.refetch();
        } else {
            wallet.refetch();
        }
    });
    let existing_id = existing.as_ref().map(|a| a.id.clone());
    let returned = existing
        .as_ref()
        .is_some_and(|a| a.status == ApplicationStatus::Returned);
    let is_draft = existing
        .as_ref()
        .is_some_and(|a| a.status == ApplicationStatus::Draft);
    let enterprise_id = company.as_ref().map(|c| c.id.clone());
    // Without authority for the company the server decides, and says why, whatever the form holds.
    let unauthorised = company.as_ref().is_some_and(|c| !c.authorised);

    let send = Action::new_local(move |submit: &bool| {
        let submit = *submit;
        let form = form.get_untracked();
        let idempotency_key = Some(format!("{key}-{}", if submit { "send" } else { "draft" }));
        let id = existing_id.clone();
        let enterprise_id = enterprise_id.clone();
        let relative_id = for_whom.get_untracked();
        async move {
            match id {
                Some(id) => {
                    api()
                        .update_application(&id, &ApplicationUpdate { form, submit })
                        .await
                }
                None => {
                    api()
                        .file_application(&NewApplication {
                            form,
                            enterprise_id,
                            relative_id,
                            submit,
                            idempotency_key,
                        })
                        .await
                }
            }
        }
    });
    let delete = Action::new_local({
        let id = existing.as_ref().map(|a| a.id.clone());
        move |_: &()| {
            let id = id.clone();
            async move {
                match id {
                    Some(id) => api().delete_application(&id).await,
                    None => Ok(()),
                }
            }
        }
    });
    let done_path = format!("{}/applications", root(persona));
    {
        let navigate = navigate.clone();
        let done_path = done_path.clone();
        Effect::new(move |_| match send.value().get() {
            Some(Ok(application)) => {
                unsent.sent();
                match on_saved {
                    Some(saved) => saved.run(application),
                    None => navigate(
                        &format!("{done_path}/{}", application.id),
                        Default::default(),
                    ),
                }
            }
            Some(Err(e)) => failure.set(Some(e)),
            None => {}
        });
    }
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            // Deleted on purpose: nothing of it to keep.
            unsent.sent();
            navigate(&done_path, Default::default())
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let this_month = move || clock::cst_date(clock::now())[..7].to_string();
    let attempt = move |submit: bool| {
        failure.set(None);
        // A phone number typed full-width, or with +86, is written as the number meant,
        // in the field too, before it is checked and sent.
        let tidied = form.with_untracked(|f| {
            let mut tidied = f.clone();
            tidied.tidy_phone();
            (tidied != *f).then_some(tidied)
        });
        if let Some(tidied) = tidied {
            form.set(tidied);
        }
        let problems = form.with_untracked(|f| {
            if submit {
                f.check(&this_month())
            } else {
                f.check_draft()
            }
        });
        shown_errors.set(problems.clone());
        if problems.is_empty() || (submit && unauthorised) {
            send.dispatch_local(submit);
        } else if let Some(first) = problems.first() {
            focus_field(first.field);
        }
    };
    let errors: Signal<Vec<FieldError>> = shown_errors.into();
    // A renewal with no driving licence in the wallet cannot be filled in at all: rather than
    // a whole form that cannot be sent, a new one says so and leads back. A draft is still
    // shown, so it can be deleted; and so is the form of someone who may file for a relative,
    // whose licence it may be.
    const RENEWED: &[kapok_api::LicenceType] = &[kapok_api::LicenceType::DrivingLicence];
    let renewal = matches!(opened_form, ApplicationForm::DrivingLicenceRenewal(_));
    let no_one_else = relatives.is_empty();
    let nothing_to_renew = Memo::new(move |_| {
        renewal
            && existing_is_new
            && no_one_else
            && wallet_list
                .get()
                .is_some_and(|list| usable(list, RENEWED, true).is_empty())
    });
    let fields = match form.get_untracked() {
        ApplicationForm::DrivingLicenceRenewal(_) => view! {
            <WalletChoice field=FormField::Licence wallet=wallet_list whose=relative_name failed=wallet_failed retry=reload_wallet errors=errors
                types=vec![kapok_api::LicenceType::DrivingLicence] expired_ok=true
                value=lens!(form, DrivingLicenceRenewal, licence_id)/>
            <WalletChoice field=FormField::Identity wallet=wallet_list whose=relative_name failed=wallet_failed retry=reload_wallet errors=errors
                types=vec![kapok_api::LicenceType::ResidentIdCard, kapok_api::LicenceType::HkIdentityCard]
                value=lens!(form, DrivingLicenceRenewal, identity_licence_id)/>
            <OneOf field=FormField::Reason errors=errors
                options=vec![RenewalReason::Expiring, RenewalReason::Lost, RenewalReason::Damaged]
                label=labels::renewal_reason
                value=lens!(form, DrivingLicenceRenewal, reason)/>
            <Declaration field=FormField::HealthDeclared errors=errors
                value=lens!(form, DrivingLicenceRenewal, health_declared)/>
            <TextRow field=FormField::PostalAddress errors=errors autocomplete="street-address"
                value=lens!(form, DrivingLicenceRenewal, postal_address)/>
            <TextRow field=FormField::Phone errors=errors kind="tel" autocomplete="tel"
                value=lens!(form, DrivingLicenceRenewal, phone)/>
        }
        .into_any(),
        ApplicationForm::SocialSecurityRecord(_) => view! {
            <WalletChoice field=FormField::Identity wallet=wallet_list whose=relative_name failed=wallet_failed retry=reload_wallet errors=errors
                types=vec![kapok_api::LicenceType::ResidentIdCard, kapok_api::LicenceType::HkIdentityCard]
                value=lens!(form, SocialSecurityRecord, identity_licence_id)/>
            <TextRow field=FormField::FromMonth errors=errors kind="month" autocomplete="off"
                value=lens!(form, SocialSecurityRecord, from_month)/>
            <TextRow field=FormField::ToMonth errors=errors kind="month" autocomplete="off"
                value=lens!(form, SocialSecurityRecord, to_month)/>
            <OneOf field=FormField::Purpose errors=errors
                options=vec![RecordPurpose::Housing, RecordPurpose::Schooling, RecordPurpose::Employment, RecordPurpose::Other]
                label=labels::purpose
                value=lens!(form, SocialSecurityRecord, purpose)/>
        }
        .into_any(),
        ApplicationForm::FoodBusinessPermit(_) => view! {
            <WalletChoice field=FormField::BusinessLicence wallet=wallet_list whose=relative_name failed=wallet_failed retry=reload_wallet errors=errors
                types=vec![kapok_api::LicenceType::BusinessLicence]
                value=lens!(form, FoodBusinessPermit, business_licence_id)/>
            <TextRow field=FormField::PremisesAddress errors=errors autocomplete="street-address"
                value=lens!(form, FoodBusinessPermit, premises_address)/>
            <ManyOf field=FormField::Kinds errors=errors
                options=vec![FoodBusinessKind::Catering, FoodBusinessKind::PackagedFood, FoodBusinessKind::BulkFood, FoodBusinessKind::Beverages]
                label=labels::food_kind
                value=lens!(form, FoodBusinessPermit, kinds)/>
            <AreaRow errors=errors value=lens!(form, FoodBusinessPermit, area_m2)/>
            <TextRow field=FormField::SafetyManager errors=errors autocomplete="name"
                value=lens!(form, FoodBusinessPermit, safety_manager)/>
            <TextRow field=FormField::Phone errors=errors kind="tel" autocomplete="tel"
                value=lens!(form, FoodBusinessPermit, phone)/>
        }
        .into_any(),
    };
    let count = move || shown_errors.with(Vec::len) as i64;
    let busy = Signal::derive(move || send.pending().get() || delete.pending().get());
    let services_path = format!("{}/services", root(persona));
    view! {
        {move || nothing_to_renew.get().then(|| {
            let services_path = services_path.clone();
            view! {
                <EmptyState
                    title=Signal::derive(move || t_string!(i18n, apply.not_online).to_string())
                    message=Signal::derive(move || {
                        let kinds = labels::licence_type(i18n, RENEWED[0]);
                        t_string!(i18n, apply.none_in_wallet, kinds = kinds).to_string()
                    })
                >
                    <a class="kp-link" href=services_path>{move || t_string!(i18n, services.title)}</a>
                </EmptyState>
            }
        })}
        <form class="kp-stack" novalidate
            style:display=move || if nothing_to_renew.get() { "none" } else { "" }
            on:submit=move |ev| { ev.prevent_default(); attempt(true); }>
            {move || restored.get().map(|why| view! { <crate::unsaved::KeptNotice why=why on_start_again=start_again/> })}
            {company.clone().map(|c| {
                let name = c.name.clone();
                view! {
                    <p class="kp-lead">{move || t!(i18n, apply.for_company, company = labels::typed(name.clone()))}</p>
                    {(!c.authorised).then(|| {
                        let name = c.name.clone();
                        view! {
                            <p class="kp-notice" role="note">
                                {move || t!(i18n, apply.need_scope, company = labels::typed(name.clone()))}" "
                                <a class="kp-link" href="/enterprise/delegation">{move || t_string!(i18n, apply.ask_scope)}</a>
                            </p>
                        }
                    })}
                }
            })}
            {(!relatives.is_empty()).then(|| view! { <ForWhom relatives=relatives.clone() chosen=for_whom/> })}
            {filed_for_name.clone().map(|name| view! {
                <p class="kp-lead">{move || t!(i18n, apply.for_relative, name = labels::typed(name.clone()))}</p>
            })}
            <p class="kp-hint">{move || t_string!(i18n, apply.all_needed)}</p>
            {fields}
            {move || (count() > 0).then(|| view! {
                <p class="kp-form-error" role="alert">{move || format::counted(
                    i18n.get_locale(),
                    count(),
                    |count| t_string!(i18n, apply.problems.one, count = count).to_string(),
                    |count| t_string!(i18n, apply.problems.other, count = count).to_string(),
                )}</p>
            })}
            {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
            <div class="kp-actions">
                <Button submit=true disabled=busy>
                    {move || if send.pending().get() { t_string!(i18n, apply.working) }
                        else if returned { t_string!(i18n, apply.resubmit) }
                        else { t_string!(i18n, apply.submit) }}
                </Button>
                {(!returned).then(|| view! {
                    <Button variant=ButtonVariant::Secondary disabled=busy on_click=Callback::new(move |_| attempt(false))>
                        {move || t_string!(i18n, apply.save_draft)}
                    </Button>
                })}
                {is_draft.then(|| view! {
                    <Button variant=ButtonVariant::Danger disabled=busy on_click=Callback::new(move |_| { delete.dispatch_local(()); })>
                        {move || t_string!(i18n, apply.delete_draft)}
                    </Button>
                })}
            </div>
        </form>
    }
}

/// `form` without the licences it takes from the wallet: what was typed and chosen in it.
fn typed(form: &ApplicationForm) -> ApplicationForm {
    let mut form = form.clone();
    match &mut form {
        ApplicationForm::DrivingLicenceRenewal(f) => {
            f.licence_id = None;
            f.identity_licence_id = None;
        }
        ApplicationForm::SocialSecurityRecord(f) => f.identity_licence_id = None,
        ApplicationForm::FoodBusinessPermit(f) => f.business_licence_id = None,
    }
    form
}

/// The element id of a field's input (or its group), for labels, errors and focus.
fn field_id(field: FormField) -> &'static str {
    match field {
        FormField::Licence => "f-licence",
        FormField::Identity => "f-identity",
        FormField::Reason => "f-reason",
        FormField::HealthDeclared => "f-health",
        FormField::PostalAddress => "f-postal-address",
        FormField::Phone => "f-phone",
        FormField::FromMonth => "f-from-month",
        FormField::ToMonth => "f-to-month",
        FormField::Purpose => "f-purpose",
        FormField::BusinessLicence => "f-business-licence",
        FormField::PremisesAddress => "f-premises",
        FormField::Kinds => "f-kinds",
        FormField::Area => "f-area",
        FormField::SafetyManager => "f-safety-manager",
    }
}

/// Puts the cursor on the first field to fix (its first input).
fn focus_field(field: FormField) {
    crate::page::focus(&format!("#{id}, #{id} input", id = field_id(field)));
}

fn problem_of(errors: Signal<Vec<FieldError>>, field: FormField) -> Option<FieldProblem> {
    errors.with(|e| e.iter().find(|x| x.field == field).map(|x| x.problem))
}

/// The error under a field, tied to it by id.
#[component]
fn FieldMessage(field: FormField, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        problem_of(errors, field).map(|p| {
            view! { <p class="kp-field-error" id=format!("{}-error", field_id(field))>{move || labels::field_problem(i18n, field, p)}</p> }
        })
    }
}

fn described_by(errors: Signal<Vec<FieldError>>, field: FormField) -> Option<String> {
    problem_of(errors, field).map(|_| format!("{}-error", field_id(field)))
}

#[component]
fn TextRow(
    field: FormField,
    errors: Signal<Vec<FieldError>>,
    value: (Signal<String>, Callback<String>),
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let (get, set) = value;
    let id = field_id(field);
    view! {
        <div class="kp-plain-field">
            <label for=id>{move || labels::form_field(i18n, field)}</label>
            <input id=id name=id type=kind autocomplete=autocomplete required
                aria-invalid=move || problem_of(errors, field).map(|_| "true")
                aria-describedby=move || described_by(errors, field)
                prop:value=move || get.get()
                on:input=move |ev| set.run(event_target_value(&ev))/>
            <FieldMessage field=field errors=errors/>
        </div>
    }
}

#[component]
fn AreaRow(
    errors: Signal<Vec<FieldError>>,
    value: (Signal<Option<u32>>, Callback<Option<u32>>),
) -> impl IntoView {
    let i18n = use_i18n();
    let (get, set) = value;
    let field = FormField::Area;
    let id = field_id(field);
    view! {
        <div class="kp-plain-field">
            <label for=id>{move || labels::form_field(i18n, field)}</label>
            <input id=id name=id type="number" inputmode="numeric" min="1" autocomplete="off" required
                aria-invalid=move || problem_of(errors, field).map(|_| "true")
                aria-describedby=move || described_by(errors, field)
                prop:value=move || get.get().map(|a| a.to_string()).unwrap_or_default()
                on:input=move |ev| set.run(event_target_value(&ev).trim().parse().ok())/>
            <FieldMessage field=field errors=errors/>
        </div>
    }
}

/// A licence taken from the wallet instead of typed in: one radio button per suitable licence.
#[component]
fn WalletChoice(
    field: FormField,
    errors: Signal<Vec<FieldError>>,
    types: Vec<kapok_api::LicenceType>,
    wallet: Signal<Option<Vec<LicenceSummary>>>,
    /// The relative whose licences `wallet` holds, when the application is for one.
    whose: Signal<Option<String>>,
    /// Why the wallet could not be read, when it could not (and no copy was saved).
    failed: Signal<Option<ClientError>>,
    retry: Callback<()>,
    value: (Signal<Option<String>>, Callback<Option<String>>),
    /// An expired licence will do (the one a renewal renews).
    #[prop(optional)]
    expired_ok: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let (get, set) = value;
    let id = field_id(field);
    // "内地机动车驾驶证" or "内地居民身份证或香港永久性居民身份证": what the field needs, for
    // when the wallet has none of it.
    let kinds = {
        let types = types.clone();
        move || {
            let or = t_string!(i18n, apply.or);
            types
                .iter()
                .map(|t| labels::licence_type(i18n, *t))
                .collect::<Vec<_>>()
                .join(or)
        }
    };
    let usable = Memo::new(move |_| wallet.get().map(|list| usable(list, &types, expired_ok)));
    // One licence that fits is chosen for the person; they can still see which. A choice that
    // no longer fits (made in a draft, or kept over a sign-in, before the licence was replaced
    // or revoked) is dropped rather than sent.
    Effect::new(move |_| {
        let Some(list) = usable.get() else { return };
        let current = get.get_untracked();
        if current
            .as_ref()
            .is_some_and(|c| list.iter().any(|l| &l.id == c))
        {
            return;
        }
        let only = (list.len() == 1).then(|| list[0].id.clone());
        if only != current {
            set.run(only);
        }
    });
    view! {
        <fieldset class="kp-fieldset" id=id aria-describedby=move || described_by(errors, field)>
            <legend>{move || labels::form_field(i18n, field)}</legend>
            <p class="kp-hint">{move || match whose.get() {
                Some(name) => t!(i18n, apply.from_relative, name = labels::typed(name)).into_any(),
                None => t!(i18n, apply.from_wallet).into_any(),
            }}</p>
            {move || match usable.get() {
                None => match failed.get() {
                    Some(e) => view! { <LoadFailed error=e on_retry=retry/> }.into_any(),
                    None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                },
                Some(list) if list.is_empty() => {
                    let kinds = kinds.clone();
                    view! { <p class="kp-notice">{move || match whose.get() {
                        Some(name) => t!(i18n, apply.none_of_relative, name = labels::typed(name), kinds = kinds()).into_any(),
                        None => t!(i18n, apply.none_in_wallet, kinds = kinds()).into_any(),
                    }}</p> }.into_any()
                }
                Some(list) => list.into_iter().map(|l| {
                    let licence_id = l.id.clone();
                    let chosen = l.id.clone();
                    view! {
                        <label class="kp-check">
                            <input type="radio" name=id value=l.id.clone() required
                                prop:checked=move || get.get().as_deref() == Some(chosen.as_str())
                                on:change=move |_| set.run(Some(licence_id.clone()))/>
                            <span>{move || labels::licence_type(i18n, l.licence_type)}" "
                                <span lang=labels::value_lang(None, &l.holder_name, l.licence_type)>{l.holder_name.clone()}</span>" "
                                <span class="kp-code">{l.number_masked.clone()}</span></span>
                        </label>
                    }
                }).collect_view().into_any(),
            }}
            <FieldMessage field=field errors=errors/>
        </fieldset>
    }
}

/// The licences in the wallet an application for the filer (or their company) can take: a
/// company's licences reach its staff through their grant, but a relative's shown there are
/// never the filer's own.
fn filers_own(wallet: Vec<LicenceSummary>) -> Vec<LicenceSummary> {
    wallet
        .into_iter()
        .filter(|l| l.holder_kind == HolderKind::Enterprise || l.through_grant.is_none())
        .collect()
}

/// The licences in `wallet` a form's field can take: of one of `types`, and valid (or
/// expired, if `expired_ok`).
fn usable(
    wallet: Vec<LicenceSummary>,
    types: &[kapok_api::LicenceType],
    expired_ok: bool,
) -> Vec<LicenceSummary> {
    wallet
        .into_iter()
        .filter(|l| {
            types.contains(&l.licence_type)
                && (matches!(l.status, LicenceStatus::Valid | LicenceStatus::Expiring)
                    || (expired_ok && l.status == LicenceStatus::Expired))
        })
        .collect()
}

/// Whom a new application is for: the filer, or one of the relatives who gave them the
/// authority. The licences the form offers follow the choice.
#[component]
fn ForWhom(relatives: Vec<RelativeToFileFor>, chosen: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let choice = move |id: Option<String>, label: Signal<String>| {
        let checked = id.clone();
        view! {
            <label class="kp-check">
                <input type="radio" name="f-for-whom"
                    prop:checked=move || chosen.with(|c| *c == checked)
                    on:change=move |_| chosen.set(id.clone())/>
                <span lang=move || labels::typed_lang(i18n.get_locale(), &label.get())>{move || label.get()}</span>
            </label>
        }
    };
    view! {
        <fieldset class="kp-fieldset" id="f-for-whom">
            <legend>{move || t_string!(i18n, apply.for_whom)}</legend>
            <p class="kp-hint">{move || t_string!(i18n, apply.for_whom_hint)}</p>
            {choice(None, Signal::derive(move || t_string!(i18n, apply.for_me).to_string()))}
            {relatives.into_iter().map(|r| {
                let name = r.name.clone();
                choice(Some(r.id), Signal::derive(move || name.clone()))
            }).collect_view()}
        </fieldset>
    }
}

/// One answer of a few, as radio buttons.
#[component]
fn OneOf<T>(
    field: FormField,
    errors: Signal<Vec<FieldError>>,
    options: Vec<T>,
    label: fn(leptos_i18n::I18nContext<crate::i18n::Locale>, T) -> &'static str,
    value: (Signal<Option<T>>, Callback<Option<T>>),
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let (get, set) = value;
    let id = field_id(field);
    view! {
        <fieldset class="kp-fieldset" id=id aria-describedby=move || described_by(errors, field)>
            <legend>{move || labels::form_field(i18n, field)}</legend>
            {options.into_iter().map(|option| view! {
                <label class="kp-check">
                    <input type="radio" name=id required prop:checked=move || get.get() == Some(option)
                        on:change=move |_| set.run(Some(option))/>
                    <span>{move || label(i18n, option)}</span>
                </label>
            }).collect_view()}
            <FieldMessage field=field errors=errors/>
        </fieldset>
    }
}

/// Any number of answers, as check boxes.
#[component]
fn ManyOf<T>(
    field: FormField,
    errors: Signal<Vec<FieldError>>,
    options: Vec<T>,
    label: fn(leptos_i18n::I18nContext<crate::i18n::Locale>, T) -> &'static str,
    value: (Signal<Vec<T>>, Callback<Vec<T>>),
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let (get, set) = value;
    let id = field_id(field);
    view! {
        <fieldset class="kp-fieldset" id=id aria-describedby=move || described_by(errors, field)>
            <legend>{move || labels::form_field(i18n, field)}</legend>
            {options.into_iter().map(|option| view! {
                <label class="kp-check">
                    <input type="checkbox" name=id prop:checked=move || get.get().contains(&option)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let mut chosen: Vec<T> = get.get_untracked().into_iter().filter(|o| *o != option).collect();
                            if on { chosen.push(option); }
                            set.run(chosen);
                        }/>
                    <span>{move || label(i18n, option)}</span>
                </label>
            }).collect_view()}
            <FieldMessage field=field errors=errors/>
        </fieldset>
    }
}

/// A declaration the applicant must make: one check box.
#[component]
fn Declaration(
    field: FormField,
    errors: Signal<Vec<FieldError>>,
    value: (Signal<bool>, Callback<bool>),
) -> impl IntoView {
    let i18n = use_i18n();
    let (get, set) = value;
    let id = field_id(field);
    view! {
        <div class="kp-declaration">
            <label class="kp-check">
                <input type="checkbox" id=id name=id required
                    aria-invalid=move || problem_of(errors, field).map(|_| "true")
                    aria-describedby=move || described_by(errors, field)
                    prop:checked=move || get.get()
                    on:change=move |ev| set.run(event_target_checked(&ev))/>
                <span>{move || labels::form_field(i18n, field)}</span>
            </label>
            <FieldMessage field=field errors=errors/>
        </div>
    }
}

// ---------------------------------------------------------------------------------------
// Following an application
// ---------------------------------------------------------------------------------------

#[component]
pub fn ApplicationsPage(persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(|| async { api().applications().await });
    let base = format!("{}/applications", root(persona));
    let services = format!("{}/services", root(persona));
    view! {
        <Page title=Signal::derive(move || my_applications(i18n, persona).to_string()) back=root(persona)>
            {move || {
                let base = base.clone();
                let services = services.clone();
                match list.get() {
                    None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                    Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| list.refetch())/> }.into_any(),
                    Some(Ok(items)) if items.is_empty() => view! {
                        <EmptyState
                            title=Signal::derive(move || t_string!(i18n, application.empty).to_string())
                            message=Signal::derive(move || t_string!(i18n, application.empty_hint).to_string())
                        >
                            <a class="kp-link" href=services>{move || t_string!(i18n, application.find_service)}</a>
                        </EmptyState>
                    }.into_any(),
                    Some(Ok(items)) => view! {
                        <ul class="kp-service-list">
                            {items.into_iter().map(|a| view! { <ApplicationRow application=a base=base.clone()/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            }}
        </Page>
    }
}

#[component]
pub fn ApplicationRow(application: Application, base: String) -> impl IntoView {
    let i18n = use_i18n();
    let status = application.status;
    let service = application.service;
    let updated = application.updated_at;
    view! {
        <li class="kp-service">
            <a class="kp-application-link" href=format!("{base}/{}", application.id)>
                <span class="kp-service__name">{move || labels::service_name(i18n, service)}</span>
                <span class="kp-badge" data-status=status_attr(status)>{move || labels::application_status(i18n, status)}</span>
                // Whose it is, when not the reader's own: a relative's that they file or follow
                // under a family grant, or a colleague's for the company; and who filed the
                // reader's own for them.
                {match (&application.for_relative, &application.filed_by_name) {
                    (Some(_), _) => Some(labels::typed(application.applicant_name.clone()).into_any()),
                    (None, Some(filer)) if !application.filed_by_caller => {
                        let filer = filer.clone();
                        Some(view! { <span>{move || t!(i18n, application.filed_by_row, name = labels::typed(filer.clone()))}</span> }.into_any())
                    }
                    _ => (!application.filed_by_caller).then(|| labels::typed(application.applicant_name.clone()).into_any()),
                }}
                {application.enterprise_name.clone().map(labels::typed)}
                <span class="kp-checks__when">{move || t_string!(i18n, application.updated, time = format::date_time(i18n.get_locale(), updated)).to_string()}</span>
            </a>
        </li>
    }
}

pub fn status_attr(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Draft | ApplicationStatus::Submitted => "pending",
        ApplicationStatus::Accepted | ApplicationStatus::UnderReview => "pending",
        ApplicationStatus::Approved | ApplicationStatus::Issued => "valid",
        ApplicationStatus::Returned => "expiring",
        ApplicationStatus::Rejected => "revoked",
    }
}

#[component]
pub fn ApplicationPage(persona: Persona) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let application = LocalResource::new(move || {
        let id = id.clone();
        async move { api().application(&id).await }
    });
    // The applicant sees a decision as soon as it is taken: while the application is with the
    // department, it is asked again every few seconds.
    if let Ok(poll) = set_interval_with_handle(
        move || {
            let waiting = application.with_untracked(
                |a| matches!(a, Some(Ok(a)) if !a.status.editable() && !a.status.is_final()),
            );
            if waiting {
                application.refetch();
            }
        },
        Duration::from_secs(4),
    ) {
        on_cleanup(move || poll.clear());
    }
    let title = Signal::derive(move || match application.get() {
        Some(Ok(a)) => labels::service_name(i18n, a.service).to_string(),
        _ => t_string!(i18n, application.timeline).to_string(),
    });
    let back = match persona {
        Persona::Enterprise => "/enterprise/applications",
        _ => "/resident/applications",
    };
    view! {
        <Page title=title back=back>
            <Transition fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                {move || application.get().map(|result| match result {
                    Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| application.refetch())/> }.into_any(),
                    Ok(a) => view! {
                        <ApplicationView application=a persona=persona on_saved=Callback::new(move |_| application.refetch())/>
                    }.into_any(),
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn ApplicationView(
    application: Application,
    persona: Persona,
    on_saved: Callback<Application>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = application.status;
    let wallet = format!("{}/wallet", root(persona));
    let editable = status.editable();
    let last_reason = application
        .timeline
        .iter()
        .rev()
        .find_map(|e| e.reason.clone());
    view! {
        <div class="kp-stack">
            <p class="kp-status-line" role="status" data-status=status_attr(status)>
                <span class="kp-badge" data-status=status_attr(status)>{move || labels::application_status(i18n, status)}</span>
                {application.issued_licence_id.clone().map(|id| view! {
                    " "<a class="kp-link" href=format!("{wallet}/{id}")>{move || t_string!(i18n, application.see_licence)}</a>
                })}
            </p>
            {(status == ApplicationStatus::Draft).then(|| view! {
                <p class="kp-notice">{move || t_string!(i18n, apply.draft_saved)}</p>
            })}
            {(status == ApplicationStatus::Returned).then(|| view! {
                <div class="kp-notice">
                    <p>{move || t_string!(i18n, application.returned)}</p>
                    {last_reason.clone().map(|r| view! { <p class="kp-lines"><strong>{move || t_string!(i18n, application.reason, reason = r.clone()).to_string()}</strong></p> })}
                </div>
            })}
            {editable.then(|| view! { <Editor persona=persona form=application.form.clone() existing=Some(application.clone()) on_saved=on_saved/> })}
            {(!application.timeline.is_empty()).then(|| view! { <Timeline application=application.clone()/> })}
            {(!editable).then(|| view! { <Answers application=application.clone()/> })}
        </div>
    }
}

/// Every step so far, grouped by submission, oldest first.
#[component]
pub fn Timeline(application: Application) -> impl IntoView {
    let i18n = use_i18n();
    let rounds = application.round.max(1);
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, application.timeline).to_string())>
            {(1..=rounds).map(|round| {
                let steps: Vec<_> = application.timeline.iter().filter(|e| e.round == round).cloned().collect();
                view! {
                    {(rounds > 1).then(|| view! { <h3 class="kp-round">{move || t_string!(i18n, application.round, round = round).to_string()}</h3> })}
                    <ol class="kp-timeline">
                        {steps.into_iter().map(|e| {
                            let status = e.status;
                            let at = e.at;
                            view! {
                                <li class="kp-timeline__step" data-status=status_attr(status)>
                                    <strong>{move || labels::application_status(i18n, status)}</strong>
                                    " "<span class="kp-checks__when">{move || format::date_time(i18n.get_locale(), at)}</span>
                                    {e.actor_name.clone().map(|n| view! { <span class="kp-timeline__by">{move || t!(i18n, application.by, name = labels::typed(n.clone()))}</span> })}
                                    {e.reason.clone().map(|r| view! { <span class="kp-timeline__reason kp-lines">{move || t_string!(i18n, application.reason, reason = r.clone()).to_string()}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            }).collect_view()}
        </Card>
    }
}

/// What the form said, read-only.
#[component]
pub fn Answers(application: Application) -> impl IntoView {
    let i18n = use_i18n();
    let reused = move || t_string!(i18n, application.reused).to_string();
    let yes = move || t_string!(i18n, application.yes).to_string();
    // Each answer as it is shown; what someone typed (and a holder's name) is marked as
    // Chinese on an English page.
    let mut rows: Vec<(FormField, ViewFn)> = Vec::new();
    let text = |s: String| ViewFn::from(move || labels::typed(s.clone()));
    // A month as the rest of the page writes dates: "2025年1月", "January 2025".
    let month = move |m: String| ViewFn::from(move || format::month(i18n.get_locale(), &m));
    // A licence taken from the wallet is shown as the register has it now (kind, holder,
    // masked number, validity), so the official deciding can check it; its id means nothing
    // to a reader. One no longer in the register is only said to have been taken.
    let licence = |id: &Option<String>| {
        let found = id.as_ref().and_then(|id| {
            application
                .reused
                .iter()
                .find(|r| &r.licence.id == id)
                .map(|r| r.licence.clone())
        });
        let given = id.is_some();
        ViewFn::from(move || match found.clone() {
            Some(l) => {
                let rest = format!(
                    "{} · {} · {}",
                    l.number_masked,
                    crate::pages::wallet::validity_text(i18n, l.valid_until.as_deref()),
                    labels::status(i18n, l.status),
                );
                let lang = labels::value_lang(None, &l.holder_name, l.licence_type);
                view! {
                    {labels::licence_type(i18n, l.licence_type)}" "
                    <span lang=lang>{l.holder_name}</span>" "
                    {rest}
                }
                .into_any()
            }
            None if given => reused().into_any(),
            None => ().into_any(),
        })
    };
    match &application.form {
        ApplicationForm::DrivingLicenceRenewal(f) => {
            rows.push((FormField::Licence, licence(&f.licence_id)));
            rows.push((FormField::Identity, licence(&f.identity_licence_id)));
            if let Some(r) = f.reason {
                rows.push((
                    FormField::Reason,
                    ViewFn::from(move || labels::renewal_reason(i18n, r)),
                ));
            }
            if f.health_declared {
                rows.push((FormField::HealthDeclared, ViewFn::from(yes)));
            }
            rows.push((FormField::PostalAddress, text(f.postal_address.clone())));
            rows.push((FormField::Phone, text(f.phone.clone())));
        }
        ApplicationForm::SocialSecurityRecord(f) => {
            rows.push((FormField::Identity, licence(&f.identity_licence_id)));
            rows.push((FormField::FromMonth, month(f.from_month.clone())));
            rows.push((FormField::ToMonth, month(f.to_month.clone())));
            if let Some(p) = f.purpose {
                rows.push((
                    FormField::Purpose,
                    ViewFn::from(move || labels::purpose(i18n, p)),
                ));
            }
        }
        ApplicationForm::FoodBusinessPermit(f) => {
            rows.push((FormField::BusinessLicence, licence(&f.business_licence_id)));
            rows.push((FormField::PremisesAddress, text(f.premises_address.clone())));
            let kinds = f.kinds.clone();
            rows.push((
                FormField::Kinds,
                ViewFn::from(move || {
                    kinds
                        .iter()
                        .map(|k| labels::food_kind(i18n, *k))
                        .collect::<Vec<_>>()
                        .join(t_string!(i18n, delegation.scope_list_separator))
                }),
            ));
            rows.push((
                FormField::Area,
                text(f.area_m2.map(|a| a.to_string()).unwrap_or_default()),
            ));
            rows.push((FormField::SafetyManager, text(f.safety_manager.clone())));
            rows.push((FormField::Phone, text(f.phone.clone())));
        }
    }
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, application.answers).to_string())>
            <dl class="kp-facts">
                <dt>{move || t_string!(i18n, application.applicant)}</dt>
                <dd>{labels::typed(application.applicant_name.clone())}</dd>
                {application.filed_by_name.clone().map(|n| view! {
                    <dt>{move || t_string!(i18n, application.filed_by)}</dt>
                    <dd>{labels::typed(n)}</dd>
                })}
                {application.enterprise_name.clone().map(|n| view! {
                    <dt>{move || t_string!(i18n, application.company)}</dt>
                    <dd>{labels::typed(n)}</dd>
                })}
                {rows.into_iter().map(|(field, value)| view! {
                    <dt>{move || labels::form_field(i18n, field)}</dt>
                    <dd>{move || value.run()}</dd>
                }).collect_view()}
            </dl>
        </Card>
    }
}
