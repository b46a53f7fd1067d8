//! The officials' approvals inbox: applications for their department, taken on one at a time
//! and approved, returned with a reason, or rejected.

use kapok_api::{
    Application, ApplicationStatus, Decision, ErrorCode, Verdict, client::ClientError,
};
use kapok_components::{Button, ButtonVariant, Card, EmptyState, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    api::api,
    errors::error_text,
    i18n::{t, t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
    pages::services::{Answers, ApplicationRow, Timeline, status_attr},
};

#[component]
pub fn TasksPage() -> impl IntoView {
    let i18n = use_i18n();
    let tasks = LocalResource::new(|| async { api().tasks().await });
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, tasks.title).to_string())>
            {move || match tasks.get() {
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| tasks.refetch())/> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! {
                    <EmptyState
                        title=Signal::derive(move || t_string!(i18n, tasks.empty).to_string())
                        message=Signal::derive(move || t_string!(i18n, tasks.empty_hint).to_string())
                    />
                }.into_any(),
                Some(Ok(items)) => view! {
                    <ul class="kp-service-list">
                        {items.into_iter().map(|a| view! { <ApplicationRow application=a base="/official/inbox".to_string()/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </Page>
    }
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let application = LocalResource::new(move || {
        let id = id.clone();
        async move { api().application(&id).await }
    });
    let title = Signal::derive(move || match application.get() {
        Some(Ok(a)) => labels::service_name(i18n, a.service).to_string(),
        _ => t_string!(i18n, tasks.title).to_string(),
    });
    view! {
        <Page title=title back="/official/inbox">
            <Transition fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                {move || application.get().map(|result| match result {
                    Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| application.refetch())/> }.into_any(),
                    Ok(a) => view! { <Task application=a/> }.into_any(),
                })}
            </Transition>
        </Page>
    }
}

/// What takes the focus after an action on a task.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Taken on: the reason, the first field of the decision.
    Reason,
    /// Decided: the line that says so.
    Outcome,
}

/// Why a reason cannot be sent as typed.
#[derive(Clone, Copy, PartialEq)]
enum ReasonProblem {
    /// A return or a rejection with no reason a reader would see.
    Missing,
    /// Control or text-direction characters (pasted from elsewhere, or typed to mislead),
    /// which the server refuses.
    Hidden,
}

#[component]
fn Task(application: Application) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(application);
    let failure = RwSignal::new(None::<ClientError>);
    // The application moved on while an action of this page was under way (in another tab, by
    // someone else, or by that action, whose answer was lost), and the page now shows it as
    // it stands.
    let moved_on = RwSignal::new(false);
    // A reason half written and not sent (before the session ended, or the page was left or
    // reloaded) is given back.
    let kept = crate::unsaved::take::<String>();
    let restored = RwSignal::new(kept.as_ref().map(|(_, why)| *why));
    let reason = RwSignal::new(kept.map(|(reason, _)| reason).unwrap_or_default());
    let start_again = Callback::new(move |()| {
        reason.set(String::new());
        restored.set(None);
    });
    crate::unsaved::guard(move || {
        let deciding =
            current.try_with_untracked(|a| a.status == ApplicationStatus::UnderReview)?;
        reason
            .try_get_untracked()
            .filter(|r| deciding && !r.trim().is_empty())
    });
    // What is wrong with the reason typed, if anything: the key of the message that says so.
    let reason_problem = RwSignal::new(None::<ReasonProblem>);
    let claim = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api().claim(&id).await }
    });
    let decide = Action::new_local(|(id, decision): &(String, Decision)| {
        let (id, decision) = (id.clone(), decision.clone());
        async move { api().decide(&id, &decision).await }
    });
    // Where focus goes once an action is done: the buttons pressed go with the state they
    // belonged to, and the keyboard carries on from the next thing to do, or from the outcome.
    let focus_next = RwSignal::new(None::<Next>);
    let reason_field = NodeRef::<leptos::html::Textarea>::new();
    let outcome_line = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        let focused = match focus_next.get() {
            Some(Next::Reason) => reason_field.get().map(|t| t.focus()),
            Some(Next::Outcome) => outcome_line.get().map(|p| p.focus()),
            None => None,
        };
        if focused.is_some() {
            focus_next.set(None);
        }
    });
    for (action, next) in [
        (claim.value(), Next::Reason),
        (decide.value(), Next::Outcome),
    ] {
        Effect::new(move |_| match action.get() {
            Some(Ok(a)) => {
                failure.set(None);
                moved_on.set(false);
                current.set(a);
                focus_next.set(Some(next));
            }
            Some(Err(e)) => {
                // Moved on (in another tab, by someone else, or by this very request whose
                // answer was lost): the page shows where it stands now, not the old buttons,
                // and says so in place of the error, which asked to reload or try again.
                if e.code() == Some(ErrorCode::ApplicationMovedOn) || e.is_unavailable() {
                    let before = current.get_untracked();
                    leptos::task::spawn_local(async move {
                        if let Ok(now) = api().application(&before.id).await
                            && now != before
                        {
                            failure.set(None);
                            moved_on.set(true);
                            current.set(now);
                        }
                    });
                }
                moved_on.set(false);
                failure.set(Some(e));
            }
            None => {}
        });
    }
    let mine = move || current.with(|a| a.handled_by_caller);
    let verdict = move |v: Verdict| {
        // A new try: what the last one was told no longer stands.
        failure.set(None);
        let text = kapok_api::text::trim(&reason.get_untracked()).to_owned();
        let problem = if v != Verdict::Approve && text.is_empty() {
            Some(ReasonProblem::Missing)
        } else if text
            .chars()
            .any(|c| c != '\n' && kapok_api::text::disguises(c))
        {
            Some(ReasonProblem::Hidden)
        } else {
            None
        };
        reason_problem.set(problem);
        if problem.is_some() {
            return;
        }
        let id = current.with_untracked(|a| a.id.clone());
        decide.dispatch_local((
            id,
            Decision {
                verdict: v,
                reason: text,
            },
        ));
    };
    let busy = Signal::derive(move || claim.pending().get() || decide.pending().get());
    view! {
        <div class="kp-stack">
            {move || {
                let a = current.get();
                let status = a.status;
                view! {
                    <p class="kp-status-line" role="status" data-status=status_attr(status)>
                        <span class="kp-badge" data-status=status_attr(status)>{move || labels::application_status(i18n, status)}</span>
                        {a.handler_name.clone().map(|n| view! { " "<span>{move || t!(i18n, tasks.handled_by, name = labels::typed(n.clone()))}</span> })}
                    </p>
                    // The department's part is done once it decided, whatever comes next.
                    {(status.is_final() || status == ApplicationStatus::Returned).then(|| view! {
                        <p class="kp-verdict" tabindex="-1" node_ref=outcome_line>{move || t_string!(i18n, tasks.done, status = labels::application_status(i18n, status)).to_string()}</p>
                    })}
                }
            }}
            {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
            {move || moved_on.get().then(|| view! { <p class="kp-notice" role="status">{move || t_string!(i18n, tasks.moved_on)}</p> })}
            {move || (current.with(|a| a.status) == ApplicationStatus::Accepted).then(|| view! {
                <Button disabled=busy on_click=Callback::new(move |_| { claim.dispatch_local(current.with_untracked(|a| a.id.clone())); })>
                    {move || t_string!(i18n, tasks.claim)}
                </Button>
            })}
            {move || (current.with(|a| a.status) == ApplicationStatus::UnderReview && mine()).then(|| view! {
                <Card title=Signal::derive(move || t_string!(i18n, tasks.decide).to_string())>
                    <div class="kp-stack">
                        {move || restored.get().map(|why| view! { <crate::unsaved::KeptNotice why=why on_start_again=start_again/> })}
                        <label class="kp-plain-field">
                            <span>{move || t_string!(i18n, tasks.reason_label)}</span>
                            <textarea name="reason" rows="3" maxlength=kapok_api::REASON_MAX.to_string() node_ref=reason_field
                                aria-invalid=move || reason_problem.get().is_some().then_some("true")
                                aria-describedby=move || reason_problem.get().is_some().then_some("reason-error")
                                prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        </label>
                        {move || reason_problem.get().map(|problem| view! {
                            <p class="kp-field-error" id="reason-error" role="alert">{move || match problem {
                                ReasonProblem::Missing => t_string!(i18n, tasks.reason_needed),
                                ReasonProblem::Hidden => t_string!(i18n, tasks.reason_hidden),
                            }}</p>
                        })}
                        <div class="kp-actions">
                            <Button disabled=busy on_click=Callback::new(move |_| verdict(Verdict::Approve))>{move || t_string!(i18n, tasks.approve)}</Button>
                            <Button variant=ButtonVariant::Secondary disabled=busy on_click=Callback::new(move |_| verdict(Verdict::Return))>{move || t_string!(i18n, tasks.send_back)}</Button>
                            <Button variant=ButtonVariant::Danger disabled=busy on_click=Callback::new(move |_| verdict(Verdict::Reject))>{move || t_string!(i18n, tasks.reject)}</Button>
                        </div>
                    </div>
                </Card>
            })}
            {move || view! { <Answers application=current.get()/> }}
            {move || view! { <Timeline application=current.get()/> }}
        </div>
    }
}
