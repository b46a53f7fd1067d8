//! Localized names of the contract's enums. Each match is exhaustive, so a new licence type,
//! field or status cannot ship without its words in every locale.

use kapok_api::{
    ApplicationStatus, AuditAction, FieldKey, FieldProblem, FoodBusinessKind, FormField,
    GrantStatus, LicenceStatus, LicenceType, Localized, PolicyTag, RecordPurpose, RenewalReason,
    RequestStatus, Scope, ServiceId, TagGroup, Topic,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::i18n::{Locale, t_string, use_i18n};

pub fn licence_type(i18n: I18nContext<Locale>, t: LicenceType) -> &'static str {
    match t {
        LicenceType::ResidentIdCard => t_string!(i18n, licence_type.resident_id_card),
        LicenceType::SocialSecurityCard => t_string!(i18n, licence_type.social_security_card),
        LicenceType::DrivingLicence => t_string!(i18n, licence_type.driving_licence),
        LicenceType::VehicleLicence => t_string!(i18n, licence_type.vehicle_licence),
        LicenceType::HouseholdRegister => t_string!(i18n, licence_type.household_register),
        LicenceType::HkIdentityCard => t_string!(i18n, licence_type.hk_identity_card),
        LicenceType::BusinessLicence => t_string!(i18n, licence_type.business_licence),
        LicenceType::FoodBusinessPermit => t_string!(i18n, licence_type.food_business_permit),
    }
}

pub fn status(i18n: I18nContext<Locale>, s: LicenceStatus) -> &'static str {
    match s {
        LicenceStatus::Valid => t_string!(i18n, licence_status.valid),
        LicenceStatus::Expiring => t_string!(i18n, licence_status.expiring),
        LicenceStatus::Expired => t_string!(i18n, licence_status.expired),
        LicenceStatus::Revoked => t_string!(i18n, licence_status.revoked),
    }
}

/// A field's value as the locale writes it: dates in words, everything else as issued.
pub fn field_value(i18n: I18nContext<Locale>, key: FieldKey, value: &str) -> String {
    match key {
        FieldKey::BirthDate | FieldKey::FirstIssued | FieldKey::DateOfIssue => {
            crate::format::date(i18n.get_locale(), value)
        }
        _ => value.to_string(),
    }
}

/// The language of a value shown as the licence holds it (a name, an address, 女, 汉), when it
/// is written in Chinese: set on its element, so a screen reader speaks it in Chinese
/// (Cantonese for a Hong Kong card) in an English page, and a Simplified value in Mandarin in
/// a Hong Kong Chinese one. Dates, written in the page's language, and
/// values with no Chinese in them have none of their own.
pub fn value_lang(
    key: Option<FieldKey>,
    value: &str,
    licence_type: kapok_api::LicenceType,
) -> Option<&'static str> {
    let date = matches!(
        key,
        Some(FieldKey::BirthDate | FieldKey::FirstIssued | FieldKey::DateOfIssue)
    );
    (!date && value.chars().any(is_han)).then_some(
        if licence_type == kapok_api::LicenceType::HkIdentityCard {
            "zh-HK"
        } else {
            "zh-CN"
        },
    )
}

/// The language of free text someone typed (an official's name, a counter's place), when the
/// page is English and the text is written in Chinese, so it is not read with an English
/// voice. On a Chinese page it has none: which Chinese it is cannot be told, and the page's
/// own voice reads it well enough.
pub fn typed_lang(locale: Locale, text: &str) -> Option<&'static str> {
    (locale == Locale::en && text.chars().any(is_han)).then_some("zh")
}

/// Someone's name, a company's, or other text someone wrote, as shown on a page: on an English
/// page, text in Chinese is marked as such ([`typed_lang`]), also inside a sentence
/// (`t!(i18n, key, name = typed(text))`).
pub fn typed(text: impl Into<String>) -> impl IntoView + Clone + Sync + 'static {
    let text = text.into();
    move || {
        let i18n = use_i18n();
        let lang = {
            let text = text.clone();
            move || typed_lang(i18n.get_locale(), &text)
        };
        view! { <span lang=lang>{text.clone()}</span> }
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

pub fn field(i18n: I18nContext<Locale>, key: FieldKey) -> &'static str {
    use FieldKey::*;
    match key {
        Name => t_string!(i18n, field.name),
        Sex => t_string!(i18n, field.sex),
        Ethnicity => t_string!(i18n, field.ethnicity),
        BirthDate => t_string!(i18n, field.birth_date),
        Address => t_string!(i18n, field.address),
        IdNumber => t_string!(i18n, field.id_number),
        SocialSecurityNumber => t_string!(i18n, field.social_security_number),
        CardNumber => t_string!(i18n, field.card_number),
        Bank => t_string!(i18n, field.bank),
        LicenceNumber => t_string!(i18n, field.licence_number),
        VehicleClass => t_string!(i18n, field.vehicle_class),
        FirstIssued => t_string!(i18n, field.first_issued),
        PlateNumber => t_string!(i18n, field.plate_number),
        VehicleType => t_string!(i18n, field.vehicle_type),
        Owner => t_string!(i18n, field.owner),
        Vin => t_string!(i18n, field.vin),
        HouseholdHead => t_string!(i18n, field.household_head),
        Relationship => t_string!(i18n, field.relationship),
        HouseholdType => t_string!(i18n, field.household_type),
        HkidNumber => t_string!(i18n, field.hkid_number),
        DateOfIssue => t_string!(i18n, field.date_of_issue),
        CompanyName => t_string!(i18n, field.company_name),
        Uscc => t_string!(i18n, field.uscc),
        CompanyType => t_string!(i18n, field.company_type),
        LegalRepresentative => t_string!(i18n, field.legal_representative),
        RegisteredCapital => t_string!(i18n, field.registered_capital),
        EstablishedOn => t_string!(i18n, field.established_on),
        BusinessScope => t_string!(i18n, field.business_scope),
        PermitNumber => t_string!(i18n, field.permit_number),
        Operator => t_string!(i18n, field.operator),
        Premises => t_string!(i18n, field.premises),
        BusinessItems => t_string!(i18n, field.business_items),
    }
}

pub fn scope(i18n: I18nContext<Locale>, s: Scope) -> &'static str {
    match s {
        Scope::PresentLicences => t_string!(i18n, scope.present_licences),
        Scope::Applications => t_string!(i18n, scope.applications),
        Scope::Policies => t_string!(i18n, scope.policies),
        Scope::CompanyProfile => t_string!(i18n, scope.company_profile),
    }
}

/// Scopes as one phrase, in the locale's list style.
pub fn scopes(i18n: I18nContext<Locale>, scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| scope(i18n, *s))
        .collect::<Vec<_>>()
        .join(t_string!(i18n, delegation.scope_list_separator))
}

pub fn request_status(i18n: I18nContext<Locale>, s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Pending => t_string!(i18n, request_status.pending),
        RequestStatus::Approved => t_string!(i18n, request_status.approved),
        RequestStatus::Declined => t_string!(i18n, request_status.declined),
        RequestStatus::Cancelled => t_string!(i18n, request_status.cancelled),
        RequestStatus::Expired => t_string!(i18n, request_status.expired),
    }
}

pub fn grant_status(i18n: I18nContext<Locale>, s: GrantStatus) -> &'static str {
    match s {
        GrantStatus::Active => t_string!(i18n, grant_status.active),
        GrantStatus::NotYetValid => t_string!(i18n, grant_status.not_yet_valid),
        GrantStatus::Expired => t_string!(i18n, grant_status.expired),
        GrantStatus::Revoked => t_string!(i18n, grant_status.revoked),
    }
}

pub fn audit_action(i18n: I18nContext<Locale>, a: AuditAction) -> &'static str {
    match a {
        AuditAction::Requested => t_string!(i18n, audit.requested),
        AuditAction::LinkViewed => t_string!(i18n, audit.link_viewed),
        AuditAction::Approved => t_string!(i18n, audit.approved),
        AuditAction::Declined => t_string!(i18n, audit.declined),
        AuditAction::Cancelled => t_string!(i18n, audit.cancelled),
        AuditAction::Revoked => t_string!(i18n, audit.revoked),
        AuditAction::GrantUsed => t_string!(i18n, audit.grant_used),
    }
}

/// A relation from the household register; unknown ones are shown as the register has them.
pub fn relation(i18n: I18nContext<Locale>, r: &str) -> String {
    match r {
        "mother" => t_string!(i18n, relation.mother).to_string(),
        "father" => t_string!(i18n, relation.father).to_string(),
        "spouse" => t_string!(i18n, relation.spouse).to_string(),
        "child" => t_string!(i18n, relation.child).to_string(),
        other => other.to_owned(),
    }
}

pub fn service_name(i18n: I18nContext<Locale>, s: ServiceId) -> &'static str {
    match s {
        ServiceId::DrivingLicenceRenewal => t_string!(i18n, service.driving_licence_renewal.name),
        ServiceId::SocialSecurityRecord => t_string!(i18n, service.social_security_record.name),
        ServiceId::FoodBusinessPermit => t_string!(i18n, service.food_business_permit.name),
        ServiceId::HouseholdMove => t_string!(i18n, service.household_move.name),
        ServiceId::PensionCertification => t_string!(i18n, service.pension_certification.name),
        ServiceId::VehicleInspection => t_string!(i18n, service.vehicle_inspection.name),
        ServiceId::BusinessLicenceChange => t_string!(i18n, service.business_licence_change.name),
        ServiceId::EmployeeInsurance => t_string!(i18n, service.employee_insurance.name),
    }
}

pub fn service_needs(i18n: I18nContext<Locale>, s: ServiceId) -> &'static str {
    match s {
        ServiceId::DrivingLicenceRenewal => t_string!(i18n, service.driving_licence_renewal.needs),
        ServiceId::SocialSecurityRecord => t_string!(i18n, service.social_security_record.needs),
        ServiceId::FoodBusinessPermit => t_string!(i18n, service.food_business_permit.needs),
        ServiceId::HouseholdMove => t_string!(i18n, service.household_move.needs),
        ServiceId::PensionCertification => t_string!(i18n, service.pension_certification.needs),
        ServiceId::VehicleInspection => t_string!(i18n, service.vehicle_inspection.needs),
        ServiceId::BusinessLicenceChange => t_string!(i18n, service.business_licence_change.needs),
        ServiceId::EmployeeInsurance => t_string!(i18n, service.employee_insurance.needs),
    }
}

pub fn topic(i18n: I18nContext<Locale>, t: Topic) -> &'static str {
    match t {
        Topic::Driving => t_string!(i18n, topic.driving),
        Topic::SocialSecurity => t_string!(i18n, topic.social_security),
        Topic::Household => t_string!(i18n, topic.household),
        Topic::Business => t_string!(i18n, topic.business),
    }
}

pub fn application_status(i18n: I18nContext<Locale>, s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Draft => t_string!(i18n, application_status.draft),
        ApplicationStatus::Submitted => t_string!(i18n, application_status.submitted),
        ApplicationStatus::Accepted => t_string!(i18n, application_status.accepted),
        ApplicationStatus::UnderReview => t_string!(i18n, application_status.under_review),
        ApplicationStatus::Approved => t_string!(i18n, application_status.approved),
        ApplicationStatus::Returned => t_string!(i18n, application_status.returned),
        ApplicationStatus::Rejected => t_string!(i18n, application_status.rejected),
        ApplicationStatus::Issued => t_string!(i18n, application_status.issued),
    }
}

pub fn form_field(i18n: I18nContext<Locale>, f: FormField) -> &'static str {
    match f {
        FormField::Licence => t_string!(i18n, form.licence),
        FormField::Identity => t_string!(i18n, form.identity),
        FormField::Reason => t_string!(i18n, form.reason),
        FormField::HealthDeclared => t_string!(i18n, form.health_declared),
        FormField::PostalAddress => t_string!(i18n, form.postal_address),
        FormField::Phone => t_string!(i18n, form.phone),
        FormField::FromMonth => t_string!(i18n, form.from_month),
        FormField::ToMonth => t_string!(i18n, form.to_month),
        FormField::Purpose => t_string!(i18n, form.purpose),
        FormField::BusinessLicence => t_string!(i18n, form.business_licence),
        FormField::PremisesAddress => t_string!(i18n, form.premises_address),
        FormField::Kinds => t_string!(i18n, form.kinds),
        FormField::Area => t_string!(i18n, form.area),
        FormField::SafetyManager => t_string!(i18n, form.safety_manager),
    }
}

/// What is wrong with `field`, in words that fit how it is answered: a choice is chosen, a
/// declaration ticked, the rest filled in.
pub fn field_problem(i18n: I18nContext<Locale>, field: FormField, p: FieldProblem) -> &'static str {
    match p {
        FieldProblem::Required => match field {
            FormField::Licence
            | FormField::Identity
            | FormField::BusinessLicence
            | FormField::Reason
            | FormField::Purpose => t_string!(i18n, problem.choose),
            FormField::Kinds => t_string!(i18n, problem.choose_some),
            FormField::HealthDeclared => t_string!(i18n, problem.tick),
            FormField::PostalAddress
            | FormField::Phone
            | FormField::FromMonth
            | FormField::ToMonth
            | FormField::PremisesAddress
            | FormField::Area
            | FormField::SafetyManager => t_string!(i18n, problem.required),
        },
        FieldProblem::TooLong => t_string!(i18n, problem.too_long),
        FieldProblem::BadPhone => t_string!(i18n, problem.bad_phone),
        FieldProblem::BadMonth => t_string!(i18n, problem.bad_month),
        FieldProblem::OutOfRange => t_string!(i18n, problem.out_of_range),
        FieldProblem::BadCharacters => t_string!(i18n, problem.bad_characters),
    }
}

pub fn renewal_reason(i18n: I18nContext<Locale>, r: RenewalReason) -> &'static str {
    match r {
        RenewalReason::Expiring => t_string!(i18n, reason.expiring),
        RenewalReason::Lost => t_string!(i18n, reason.lost),
        RenewalReason::Damaged => t_string!(i18n, reason.damaged),
    }
}

pub fn purpose(i18n: I18nContext<Locale>, p: RecordPurpose) -> &'static str {
    match p {
        RecordPurpose::Housing => t_string!(i18n, purpose.housing),
        RecordPurpose::Schooling => t_string!(i18n, purpose.schooling),
        RecordPurpose::Employment => t_string!(i18n, purpose.employment),
        RecordPurpose::Other => t_string!(i18n, purpose.other),
    }
}

pub fn food_kind(i18n: I18nContext<Locale>, k: FoodBusinessKind) -> &'static str {
    match k {
        FoodBusinessKind::Catering => t_string!(i18n, food_kind.catering),
        FoodBusinessKind::PackagedFood => t_string!(i18n, food_kind.packaged_food),
        FoodBusinessKind::BulkFood => t_string!(i18n, food_kind.bulk_food),
        FoodBusinessKind::Beverages => t_string!(i18n, food_kind.beverages),
    }
}

pub fn policy_tag(i18n: I18nContext<Locale>, t: PolicyTag) -> &'static str {
    match t {
        PolicyTag::National => t_string!(i18n, tag.national),
        PolicyTag::Provincial => t_string!(i18n, tag.provincial),
        PolicyTag::City => t_string!(i18n, tag.city),
        PolicyTag::Catering => t_string!(i18n, tag.catering),
        PolicyTag::Retail => t_string!(i18n, tag.retail),
        PolicyTag::Technology => t_string!(i18n, tag.technology),
        PolicyTag::Manufacturing => t_string!(i18n, tag.manufacturing),
        PolicyTag::Founding => t_string!(i18n, tag.founding),
        PolicyTag::FirstHire => t_string!(i18n, tag.first_hire),
        PolicyTag::Expansion => t_string!(i18n, tag.expansion),
        PolicyTag::Export => t_string!(i18n, tag.export),
    }
}

pub fn tag_group(i18n: I18nContext<Locale>, g: TagGroup) -> &'static str {
    match g {
        TagGroup::Level => t_string!(i18n, tag_group.level),
        TagGroup::Industry => t_string!(i18n, tag_group.industry),
        TagGroup::Stage => t_string!(i18n, tag_group.stage),
    }
}

/// The version of a text written in the page's language.
pub fn localized(i18n: I18nContext<Locale>, text: &Localized) -> String {
    match i18n.get_locale() {
        Locale::zh_CN => text.zh_cn.clone(),
        Locale::zh_HK => text.zh_hk.clone(),
        Locale::en => text.en.clone(),
    }
}
