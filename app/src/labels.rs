//! Localized names of the contract's enums. Each match is exhaustive, so a new licence type,
//! field or status cannot ship without its words in every locale.

use kapok_api::{
    AuditAction, FieldKey, GrantStatus, LicenceStatus, LicenceType, RequestStatus, Scope,
};
use leptos_i18n::I18nContext;

use crate::i18n::{Locale, t_string};

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
