//! Business support policies: found by words in any language or by tag, and followed by tag so
//! that new ones reach the company's messages.

use kapok_api::{Policy, PolicyTag, Subscriptions, TagGroup, client::ClientError};
use kapok_components::{Button, Card, Loading};
use leptos::prelude::*;

use crate::{
    api::api,
    errors::error_text,
    format,
    i18n::{t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
};

const GROUPS: [TagGroup; 3] = [TagGroup::Level, TagGroup::Industry, TagGroup::Stage];

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let tag = RwSignal::new(None::<PolicyTag>);
    let policies = LocalResource::new(move || {
        let (q, tag) = (typed.get(), tag.get());
        async move { api().policies(&q, tag).await }
    });
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, policies.title).to_string())>
            <div class="kp-stack">
                <form role="search" class="kp-stack" on:submit=move |ev| ev.prevent_default()>
                    <label class="kp-plain-field">
                        <span>{move || t_string!(i18n, policies.search_label)}</span>
                        <input type="search" name="q" autocomplete="off" aria-describedby="policy-search-hint"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </label>
                    <p id="policy-search-hint" class="kp-hint">{move || t_string!(i18n, services.search_hint)}</p>
                    <label class="kp-plain-field">
                        <span>{move || t_string!(i18n, policies.tag_legend)}</span>
                        <select name="tag" class="kp-select"
                            on:change=move |ev| tag.set(PolicyTag::parse(&event_target_value(&ev)))>
                            <option value="" selected=move || tag.get().is_none()>{move || t_string!(i18n, policies.all_tags)}</option>
                            {GROUPS.into_iter().map(|group| view! {
                                <optgroup label=move || labels::tag_group(i18n, group)>
                                    {PolicyTag::ALL.into_iter().filter(|t| t.group() == group).map(|t| view! {
                                        <option value=t.as_str() selected=move || tag.get() == Some(t)>{move || labels::policy_tag(i18n, t)}</option>
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </label>
                </form>
                <Transition fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || policies.get().map(|result| match result {
                        Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| policies.refetch())/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="kp-notice" role="status">{move || t_string!(i18n, policies.empty)}</p>
                        }.into_any(),
                        Ok(list) => {
                            let n = list.len() as i64;
                            view! {
                                <p role="status">{move || format::counted(
                                    i18n.get_locale(),
                                    n,
                                    |count| t_string!(i18n, policies.count.one, count = count).to_string(),
                                    |count| t_string!(i18n, policies.count.other, count = count).to_string(),
                                )}</p>
                                <ul class="kp-service-list">
                                    {list.into_iter().map(|p| view! { <PolicyItem policy=p/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    })}
                </Transition>
                <Following/>
            </div>
        </Page>
    }
}

#[component]
fn PolicyItem(policy: Policy) -> impl IntoView {
    let i18n = use_i18n();
    let title = policy.title.clone();
    let summary = policy.summary.clone();
    let issuer = policy.issuer.clone();
    let issuer_lang = issuer.clone();
    let published = policy.published_on.clone();
    view! {
        <li class="kp-service" id=format!("policy-{}", policy.id)>
            <h2 class="kp-service__name">{move || labels::localized(i18n, &title)}</h2>
            <p class="kp-service__facts">
                {policy.tags.iter().map(|t| {
                    let t = *t;
                    view! { <span class="kp-badge" data-status="grant">{move || labels::policy_tag(i18n, t)}</span>" " }
                }).collect_view()}
            </p>
            <p>{move || labels::localized(i18n, &summary)}</p>
            <p class="kp-hint">
                // The issuer is as an official typed it, often in Chinese: marked so on an
                // English page, so it is not read out with an English voice.
                {move || t_string!(i18n, policies.issuer_before)}
                <span lang=move || labels::typed_lang(i18n.get_locale(), &issuer_lang)>{issuer}</span>
                " · "
                {move || t_string!(i18n, policies.published, date = format::date(i18n.get_locale(), &published)).to_string()}
            </p>
        </li>
    }
}

/// The tags the company follows, as check boxes grouped by kind.
#[component]
fn Following() -> impl IntoView {
    let i18n = use_i18n();
    let current = LocalResource::new(|| async { api().subscriptions().await });
    let chosen = RwSignal::new(Vec::<PolicyTag>::new());
    Effect::new(move |_| {
        if let Some(Ok(s)) = current.get() {
            chosen.set(s.tags);
        }
    });
    let save = Action::new_local(|tags: &Vec<PolicyTag>| {
        let subscriptions = Subscriptions { tags: tags.clone() };
        async move { api().set_subscriptions(&subscriptions).await }
    });
    let failure = RwSignal::new(None::<ClientError>);
    let saved = RwSignal::new(false);
    // What the last save sent.
    let sent = StoredValue::new(Vec::<PolicyTag>::new());
    Effect::new(move |_| match save.value().get() {
        Some(Ok(s)) => {
            // Boxes ticked or cleared while it was saving stay as they are, not saved yet.
            let unchanged = sent.with_value(|sent| *sent == chosen.get_untracked());
            if unchanged {
                chosen.set(s.tags);
            }
            failure.set(None);
            saved.set(unchanged);
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, policies.subscribe_title).to_string())>
            {move || match current.get() {
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                // Staff without the policies scope read policies but cannot choose for the company.
                Some(Err(e)) => view! { <p class="kp-notice">{error_text(i18n, &e)}</p> }.into_any(),
                Some(Ok(_)) => view! {
                    <form class="kp-stack" novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        saved.set(false);
                        sent.set_value(chosen.get_untracked());
                        save.dispatch_local(chosen.get_untracked());
                    }>
                        <p>{move || t_string!(i18n, policies.subscribe_intro)}</p>
                        {GROUPS.into_iter().map(|group| view! {
                            <fieldset class="kp-fieldset">
                                <legend>{move || labels::tag_group(i18n, group)}</legend>
                                {PolicyTag::ALL.into_iter().filter(|t| t.group() == group).map(|t| view! {
                                    <label class="kp-check">
                                        <input type="checkbox" name="follow" value=t.as_str()
                                            prop:checked=move || chosen.get().contains(&t)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                saved.set(false);
                                                chosen.update(|c| {
                                                    c.retain(|x| *x != t);
                                                    if on { c.push(t); }
                                                });
                                            }/>
                                        <span>{move || labels::policy_tag(i18n, t)}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                        }).collect_view()}
                        {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
                        <p role="status">{move || saved.get().then(|| t_string!(i18n, policies.saved))}</p>
                        <Button submit=true disabled=save.pending()>
                            {move || if save.pending().get() { t_string!(i18n, policies.saving) } else { t_string!(i18n, policies.save) }}
                        </Button>
                    </form>
                }.into_any(),
            }}
        </Card>
    }
}
