//! Services: a catalogue, applications that move along a timeline and can end with a licence
//! in the wallet, the officials' inbox, and one notification inbox for everyone.
//!
//! The catalogue is part of the contract (both sides need the same facts); its words (names,
//! what each service needs) live in the client's locale files under `service.<id>`. Forms are
//! checked by the same [`ApplicationForm::check`] on the phone and on the server.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{Department, LicenceSummary, LicenceType, Persona};

/// A service in the catalogue.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceId {
    /// 驾驶证期满换证
    DrivingLicenceRenewal,
    /// 社会保险参保缴费证明
    SocialSecurityRecord,
    /// 食品经营许可
    FoodBusinessPermit,
    /// 户籍迁入
    HouseholdMove,
    /// 养老金领取资格认证
    PensionCertification,
    /// 机动车检验标志
    VehicleInspection,
    /// 营业执照变更登记
    BusinessLicenceChange,
    /// 招用员工参保登记
    EmployeeInsurance,
}

/// What a service is about, for grouping the catalogue.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Driving,
    SocialSecurity,
    Household,
    Business,
}

/// One entry of the catalogue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Service {
    pub id: ServiceId,
    /// Who applies: residents, or enterprises (staff acting for their company).
    pub persona: Persona,
    pub topic: Topic,
    /// Among the most used services: listed first.
    pub high_frequency: bool,
    /// Done entirely online, with no visit to a counter (零跑动).
    pub fully_online: bool,
    /// Has an online form here; otherwise the catalogue says where to go.
    pub online_form: bool,
    /// The promised time to a decision, in working days.
    pub working_days: u32,
    /// Licences the form can take from the wallet instead of typing (材料复用).
    pub reuses: Vec<LicenceType>,
    /// The licence an approval puts into the applicant's wallet.
    pub issues: Option<LicenceType>,
    /// The department whose officials decide.
    pub department: Department,
}

impl ServiceId {
    pub const ALL: [ServiceId; 8] = [
        ServiceId::DrivingLicenceRenewal,
        ServiceId::SocialSecurityRecord,
        ServiceId::PensionCertification,
        ServiceId::HouseholdMove,
        ServiceId::VehicleInspection,
        ServiceId::FoodBusinessPermit,
        ServiceId::BusinessLicenceChange,
        ServiceId::EmployeeInsurance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceId::DrivingLicenceRenewal => "driving_licence_renewal",
            ServiceId::SocialSecurityRecord => "social_security_record",
            ServiceId::FoodBusinessPermit => "food_business_permit",
            ServiceId::HouseholdMove => "household_move",
            ServiceId::PensionCertification => "pension_certification",
            ServiceId::VehicleInspection => "vehicle_inspection",
            ServiceId::BusinessLicenceChange => "business_licence_change",
            ServiceId::EmployeeInsurance => "employee_insurance",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceId> {
        ServiceId::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The catalogue's facts about this service.
    pub fn service(self) -> Service {
        use LicenceType as L;
        use ServiceId::*;
        let (persona, topic, high_frequency, fully_online, online_form, working_days) = match self {
            DrivingLicenceRenewal => (Persona::Resident, Topic::Driving, true, true, true, 3),
            SocialSecurityRecord => (
                Persona::Resident,
                Topic::SocialSecurity,
                true,
                true,
                true,
                1,
            ),
            PensionCertification => (
                Persona::Resident,
                Topic::SocialSecurity,
                true,
                true,
                false,
                1,
            ),
            HouseholdMove => (Persona::Resident, Topic::Household, false, false, false, 10),
            VehicleInspection => (Persona::Resident, Topic::Driving, false, false, false, 5),
            FoodBusinessPermit => (Persona::Enterprise, Topic::Business, true, true, true, 10),
            BusinessLicenceChange => (Persona::Enterprise, Topic::Business, true, false, false, 3),
            EmployeeInsurance => (
                Persona::Enterprise,
                Topic::SocialSecurity,
                false,
                true,
                false,
                5,
            ),
        };
        let (reuses, issues) = match self {
            DrivingLicenceRenewal => (
                vec![L::ResidentIdCard, L::DrivingLicence],
                Some(L::DrivingLicence),
            ),
            SocialSecurityRecord => (vec![L::ResidentIdCard, L::SocialSecurityCard], None),
            FoodBusinessPermit => (vec![L::BusinessLicence], Some(L::FoodBusinessPermit)),
            _ => (vec![], None),
        };
        let department = match self {
            FoodBusinessPermit | BusinessLicenceChange => Department::MarketRegulation,
            _ => Department::ServiceCentre,
        };
        Service {
            id: self,
            persona,
            topic,
            high_frequency,
            fully_online,
            online_form,
            working_days,
            reuses,
            issues,
            department,
        }
    }
}

/// The whole catalogue, high-frequency services first.
pub fn catalogue() -> Vec<Service> {
    let mut all: Vec<Service> = ServiceId::ALL.into_iter().map(ServiceId::service).collect();
    all.sort_by_key(|s| !s.high_frequency);
    all
}

/// Why a driving licence is renewed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RenewalReason {
    Expiring,
    Lost,
    Damaged,
}

/// What a social-security record certificate is for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordPurpose {
    Housing,
    Schooling,
    Employment,
    Other,
}

/// What a food business sells.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FoodBusinessKind {
    Catering,
    PackagedFood,
    BulkFood,
    Beverages,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DrivingLicenceRenewalForm {
    /// The wallet's driving licence to renew (its id); its number and classes are taken from it.
    pub licence_id: Option<String>,
    /// The wallet's identity card (its id), instead of typing the ID number.
    pub identity_licence_id: Option<String>,
    pub reason: Option<RenewalReason>,
    /// The holder declares no condition that stops them driving safely.
    pub health_declared: bool,
    /// Where the new card is posted.
    pub postal_address: String,
    pub phone: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SocialSecurityRecordForm {
    pub identity_licence_id: Option<String>,
    /// First month covered, `YYYY-MM`.
    pub from_month: String,
    /// Last month covered, `YYYY-MM`.
    pub to_month: String,
    pub purpose: Option<RecordPurpose>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FoodBusinessPermitForm {
    /// The company's business licence in its wallet (its id).
    pub business_licence_id: Option<String>,
    pub premises_address: String,
    pub kinds: Vec<FoodBusinessKind>,
    /// Floor area of the premises, in square metres.
    #[serde(default, deserialize_with = "crate::whole_number::optional")]
    pub area_m2: Option<u32>,
    /// The person responsible for food safety.
    pub safety_manager: String,
    pub phone: String,
}

/// An application's form: one shape per service with an online form.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "service", rename_all = "snake_case")]
pub enum ApplicationForm {
    DrivingLicenceRenewal(DrivingLicenceRenewalForm),
    SocialSecurityRecord(SocialSecurityRecordForm),
    FoodBusinessPermit(FoodBusinessPermitForm),
}

/// A form field, named the same on both sides so a problem lands next to its input.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormField {
    Licence,
    Identity,
    Reason,
    HealthDeclared,
    PostalAddress,
    Phone,
    FromMonth,
    ToMonth,
    Purpose,
    BusinessLicence,
    PremisesAddress,
    Kinds,
    Area,
    SafetyManager,
}

/// What is wrong with a field.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    TooLong,
    /// Not an 11-digit mainland mobile number (or 8-digit Hong Kong number).
    BadPhone,
    /// Not a `YYYY-MM` month, or the months are in the wrong order or in the future.
    BadMonth,
    /// A number outside what the field allows.
    OutOfRange,
    /// Control or text-direction characters, which could disguise what is shown.
    BadCharacters,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    pub field: FormField,
    pub problem: FieldProblem,
}

/// Longest free-text answer, in characters.
pub const TEXT_MAX: usize = 120;
/// Largest premises a permit form accepts, in square metres.
pub const AREA_MAX_M2: u32 = 100_000;

impl ApplicationForm {
    pub fn service(&self) -> ServiceId {
        match self {
            ApplicationForm::DrivingLicenceRenewal(_) => ServiceId::DrivingLicenceRenewal,
            ApplicationForm::SocialSecurityRecord(_) => ServiceId::SocialSecurityRecord,
            ApplicationForm::FoodBusinessPermit(_) => ServiceId::FoodBusinessPermit,
        }
    }

    /// The licences the form takes from the wallet, by field, where one is chosen.
    pub fn reused(&self) -> Vec<(FormField, &str)> {
        let fields = match self {
            ApplicationForm::DrivingLicenceRenewal(f) => vec![
                (FormField::Licence, f.licence_id.as_deref()),
                (FormField::Identity, f.identity_licence_id.as_deref()),
            ],
            ApplicationForm::SocialSecurityRecord(f) => {
                vec![(FormField::Identity, f.identity_licence_id.as_deref())]
            }
            ApplicationForm::FoodBusinessPermit(f) => {
                vec![(FormField::BusinessLicence, f.business_licence_id.as_deref())]
            }
        };
        fields
            .into_iter()
            .filter_map(|(field, id)| Some((field, id?)))
            .collect()
    }

    /// An empty form for a service with an online form.
    pub fn empty(service: ServiceId) -> Option<ApplicationForm> {
        match service {
            ServiceId::DrivingLicenceRenewal => {
                Some(ApplicationForm::DrivingLicenceRenewal(Default::default()))
            }
            ServiceId::SocialSecurityRecord => {
                Some(ApplicationForm::SocialSecurityRecord(Default::default()))
            }
            ServiceId::FoodBusinessPermit => {
                Some(ApplicationForm::FoodBusinessPermit(Default::default()))
            }
            _ => None,
        }
    }

    /// Every problem with the form as it stands, for submitting it; `this_month` is `YYYY-MM`.
    /// A draft may be saved with problems; it cannot be submitted with any.
    pub fn check(&self, this_month: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut add = |field, problem| errors.push(FieldError { field, problem });
        match self {
            ApplicationForm::DrivingLicenceRenewal(f) => {
                if f.licence_id.is_none() {
                    add(FormField::Licence, FieldProblem::Required);
                }
                if f.identity_licence_id.is_none() {
                    add(FormField::Identity, FieldProblem::Required);
                }
                if f.reason.is_none() {
                    add(FormField::Reason, FieldProblem::Required);
                }
                if !f.health_declared {
                    add(FormField::HealthDeclared, FieldProblem::Required);
                }
                if let Some(p) = text_problem(&f.postal_address) {
                    add(FormField::PostalAddress, p);
                }
                if let Some(p) = phone_problem(&f.phone) {
                    add(FormField::Phone, p);
                }
            }
            ApplicationForm::SocialSecurityRecord(f) => {
                if f.identity_licence_id.is_none() {
                    add(FormField::Identity, FieldProblem::Required);
                }
                let from = month_problem(&f.from_month, this_month);
                let to = month_problem(&f.to_month, this_month);
                if let Some(p) = from {
                    add(FormField::FromMonth, p);
                }
                if let Some(p) = to {
                    add(FormField::ToMonth, p);
                }
                if from.is_none() && to.is_none() && f.from_month > f.to_month {
                    add(FormField::ToMonth, FieldProblem::BadMonth);
                }
                if f.purpose.is_none() {
                    add(FormField::Purpose, FieldProblem::Required);
                }
            }
            ApplicationForm::FoodBusinessPermit(f) => {
                if f.business_licence_id.is_none() {
                    add(FormField::BusinessLicence, FieldProblem::Required);
                }
                if let Some(p) = text_problem(&f.premises_address) {
                    add(FormField::PremisesAddress, p);
                }
                if f.kinds.is_empty() {
                    add(FormField::Kinds, FieldProblem::Required);
                }
                match f.area_m2 {
                    None => add(FormField::Area, FieldProblem::Required),
                    Some(a) if a == 0 || a > AREA_MAX_M2 => {
                        add(FormField::Area, FieldProblem::OutOfRange)
                    }
                    Some(_) => {}
                }
                if let Some(p) = text_problem(&f.safety_manager) {
                    add(FormField::SafetyManager, p);
                }
                if let Some(p) = phone_problem(&f.phone) {
                    add(FormField::Phone, p);
                }
            }
        }
        errors
    }

    /// Writes the form's phone number, if it has one, as the rules read it: full-width
    /// characters (a Chinese keyboard's ０-９, ＋, －, its wide space) as their ASCII forms, and
    /// the country code of a mainland or Hong Kong number (+86 138…, +852 …) dropped, so a
    /// number typed either way is taken as it is meant. The phone tidies the form before it
    /// checks and sends it, so what is sent is what the person then sees in the field.
    pub fn tidy_phone(&mut self) {
        let phone = match self {
            ApplicationForm::DrivingLicenceRenewal(f) => &mut f.phone,
            ApplicationForm::FoodBusinessPermit(f) => &mut f.phone,
            ApplicationForm::SocialSecurityRecord(_) => return,
        };
        *phone = plain_phone(phone);
    }

    /// Problems that stop even a draft being saved: text that is too long or could disguise
    /// itself. (Missing answers are fine in a draft.)
    pub fn check_draft(&self) -> Vec<FieldError> {
        let texts: Vec<(FormField, &str)> = match self {
            ApplicationForm::DrivingLicenceRenewal(f) => vec![
                (FormField::PostalAddress, &f.postal_address),
                (FormField::Phone, &f.phone),
            ],
            ApplicationForm::SocialSecurityRecord(f) => vec![
                (FormField::FromMonth, &f.from_month),
                (FormField::ToMonth, &f.to_month),
            ],
            ApplicationForm::FoodBusinessPermit(f) => vec![
                (FormField::PremisesAddress, &f.premises_address),
                (FormField::SafetyManager, &f.safety_manager),
                (FormField::Phone, &f.phone),
            ],
        };
        texts
            .into_iter()
            .filter(|(_, t)| !t.is_empty())
            .filter_map(|(field, t)| match text_problem(t) {
                Some(problem @ (FieldProblem::TooLong | FieldProblem::BadCharacters)) => {
                    Some(FieldError { field, problem })
                }
                _ => None,
            })
            .collect()
    }
}

fn text_problem(text: &str) -> Option<FieldProblem> {
    let trimmed = crate::text::trim(text);
    if trimmed.is_empty() {
        Some(FieldProblem::Required)
    } else if trimmed.chars().count() > TEXT_MAX {
        Some(FieldProblem::TooLong)
    } else if trimmed.chars().any(crate::text::disguises) {
        Some(FieldProblem::BadCharacters)
    } else {
        None
    }
}

/// `phone` with full-width characters as ASCII and a mainland or Hong Kong country code
/// dropped (see [`ApplicationForm::tidy_phone`]); otherwise as typed.
fn plain_phone(phone: &str) -> String {
    let ascii = crate::text::half_width(phone.trim());
    let ascii = ascii.trim();
    let digits = |s: &str| -> String { s.chars().filter(|c| !matches!(c, ' ' | '-')).collect() };
    for (code, national) in [("+86", 11), ("0086", 11), ("+852", 8), ("00852", 8)] {
        if let Some(rest) = ascii.strip_prefix(code) {
            let rest = rest.trim_start_matches([' ', '-']);
            if phone_problem(rest).is_none() && digits(rest).len() == national {
                return rest.to_owned();
            }
        }
    }
    ascii.to_owned()
}

fn phone_problem(phone: &str) -> Option<FieldProblem> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.is_empty() {
        return Some(FieldProblem::Required);
    }
    let mainland = digits.len() == 11 && digits.starts_with('1');
    let hong_kong = digits.len() == 8;
    let all_digits = digits.chars().all(|c| c.is_ascii_digit());
    (!(all_digits && (mainland || hong_kong))).then_some(FieldProblem::BadPhone)
}

fn month_problem(month: &str, this_month: &str) -> Option<FieldProblem> {
    if month.is_empty() {
        return Some(FieldProblem::Required);
    }
    let b = month.as_bytes();
    let shape = b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(
            &month[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        );
    (!shape || month < "1990-01" || month > this_month).then_some(FieldProblem::BadMonth)
}

/// Where an application stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Saved, not sent.
    Draft,
    Submitted,
    /// Complete, and taken on by the department (受理).
    Accepted,
    /// An official is looking at it.
    UnderReview,
    Approved,
    /// Sent back to the applicant with a reason, to change and send again.
    Returned,
    Rejected,
    /// The licence is in the applicant's wallet.
    Issued,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::UnderReview => "under_review",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Returned => "returned",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Issued => "issued",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        use ApplicationStatus::*;
        [
            Draft,
            Submitted,
            Accepted,
            UnderReview,
            Approved,
            Returned,
            Rejected,
            Issued,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The applicant may still change the form.
    pub fn editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::Returned)
    }

    /// Sent and not yet finished: with the department, or back with the applicant.
    pub fn in_progress(self) -> bool {
        self != ApplicationStatus::Draft && !self.is_final()
    }

    /// Nothing more will happen.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Rejected | ApplicationStatus::Issued | ApplicationStatus::Approved
        )
    }
}

/// One step of an application's history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelineEntry {
    pub status: ApplicationStatus,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// Which submission this step belongs to: 1, then 2 after a return, and so on.
    pub round: u32,
    /// Who took the step (the applicant, or the official); `None` for the system.
    pub actor_name: Option<String>,
    /// The official's reason, for a return or a rejection.
    pub reason: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Application {
    pub id: String,
    pub service: ServiceId,
    pub status: ApplicationStatus,
    /// The person who filed it.
    pub applicant_name: String,
    /// The company it was filed for, when staff filed it under a grant (or the legal
    /// representative for their company).
    pub enterprise_name: Option<String>,
    pub form: ApplicationForm,
    /// The licences the form takes from the wallet, as the register has them now, so that
    /// whoever reads it (the applicant, or the official deciding) sees which ones they are.
    /// A licence no longer in the register is left out.
    #[serde(default)]
    pub reused: Vec<ReusedLicence>,
    pub round: u32,
    pub timeline: Vec<TimelineEntry>,
    /// The licence the approval issued, in the applicant's (or company's) wallet.
    pub issued_licence_id: Option<String>,
    /// The official handling it, once claimed.
    pub handler_name: Option<String>,
    /// Whether the caller is the official handling it (and so the one who decides).
    #[serde(default)]
    pub handled_by_caller: bool,
    /// Whether the caller filed it; else a colleague did, for the company, the relative it is
    /// for (whose applications the caller follows under a family grant), or a relative for
    /// the caller.
    #[serde(default)]
    pub filed_by_caller: bool,
    /// Who filed it, when not the person it is for: a relative, under a family grant with the
    /// applications scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_by_name: Option<String>,
    /// The relative it is for, when the caller files or follows it for them under a family
    /// grant: their user id (the grant's `principal`), whose licences its form takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_relative: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A licence an application takes from the wallet, and the field it answers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReusedLicence {
    pub field: FormField,
    pub licence: LicenceSummary,
}

/// Start an application (as a draft, or sent at once).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewApplication {
    pub form: ApplicationForm,
    /// File for this enterprise (its id): as its legal representative, or under a grant with
    /// the applications scope.
    #[serde(default)]
    pub enterprise_id: Option<String>,
    /// File a residents' service for this relative (their user id, as in a family grant's
    /// `principal`) under a family grant of theirs with the applications scope: it is theirs,
    /// takes their licences, and they are told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_id: Option<String>,
    /// Send now; otherwise keep it as a draft.
    #[serde(default)]
    pub submit: bool,
    /// The same on every try of one submission (see `is_idempotency_key`): a try repeated
    /// after a lost answer gets what the first made, and nothing is made twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub idempotency_key: Option<String>,
}

/// Change a draft or a returned application, and perhaps send it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationUpdate {
    pub form: ApplicationForm,
    #[serde(default)]
    pub submit: bool,
}

/// An official's decision on an application they claimed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Return,
    Reject,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Decision {
    pub verdict: Verdict,
    /// Required for a return or a rejection: the applicant reads it.
    #[serde(default)]
    pub reason: String,
}

/// Longest reason an official may give, in characters.
pub const REASON_MAX: usize = 300;

/// Something that happened that a person should know about.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotificationKind {
    /// An application of theirs moved on.
    Application {
        application_id: String,
        service: ServiceId,
        status: ApplicationStatus,
        /// Whose it is, when the reader filed it for a relative: the relative's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        applicant_name: Option<String>,
    },
    /// Someone asks them for authority.
    DelegationRequest {
        request_id: String,
        requester_name: String,
    },
    /// Someone acted under authority they gave.
    DelegationUse {
        grant_id: String,
        actor_name: String,
    },
    /// The request for authority they made was decided by the one it asked: approved (the
    /// grant is in force from its first day) or declined.
    DelegationDecided {
        request_id: String,
        /// For a company, or between relatives.
        delegation: crate::DelegationKind,
        approver_name: String,
        approved: bool,
    },
    /// Authority given to them was revoked by the one who gave it.
    GrantRevoked {
        grant_id: String,
        /// For a company, or between relatives.
        delegation: crate::DelegationKind,
        revoked_by: String,
    },
    /// A licence of theirs runs out within 30 days.
    LicenceExpiring {
        licence_id: String,
        licence_type: LicenceType,
        valid_until: String,
    },
    /// A new policy carries a tag their company follows.
    Policy {
        policy_id: String,
        title: crate::Localized,
    },
    /// A passkey was added to their account: if they did not add it, whoever holds a session
    /// of theirs did, and can sign in with it from now on.
    PasskeyAdded {
        passkey_id: String,
        /// Its name when it was added (empty in notices from before names were kept here).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        label: String,
    },
    /// Their password was changed, and every other device of theirs signed out.
    PasswordChanged {},
    /// Too many wrong passwords were typed for their account: password sign-in is paused until
    /// `until` (Unix seconds). Nobody got in, but someone may be guessing.
    SignInPaused { until: i64 },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: String,
    pub at: i64,
    pub read: bool,
    #[serde(flatten)]
    pub kind: NotificationKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notifications {
    pub unread: u32,
    /// Newest first.
    pub items: Vec<Notification>,
}

/// Days ahead a licence's expiry is announced.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    fn renewal() -> DrivingLicenceRenewalForm {
        DrivingLicenceRenewalForm {
            licence_id: Some("lic-resident-driving".into()),
            identity_licence_id: Some("lic-resident-id".into()),
            reason: Some(RenewalReason::Expiring),
            health_declared: true,
            postal_address: "广州市天河区天河路385号".into(),
            phone: "138 0013 8000".into(),
        }
    }

    #[test]
    fn a_complete_form_has_no_problems() {
        assert!(
            ApplicationForm::DrivingLicenceRenewal(renewal())
                .check("2026-11")
                .is_empty()
        );
    }

    #[test]
    fn each_missing_answer_is_named_by_its_field() {
        let errors = ApplicationForm::empty(ServiceId::DrivingLicenceRenewal)
            .unwrap()
            .check("2026-11");
        let fields: Vec<FormField> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                FormField::Licence,
                FormField::Identity,
                FormField::Reason,
                FormField::HealthDeclared,
                FormField::PostalAddress,
                FormField::Phone
            ]
        );
        assert!(errors.iter().all(|e| e.problem == FieldProblem::Required));
    }

    #[test]
    fn phones_are_mainland_mobiles_or_hong_kong_numbers() {
        for (phone, ok) in [
            ("13800138000", true),
            ("138-0013-8000", true),
            ("9123 4567", true),
            ("23800138000", false),
            ("1380013800", false),
            ("1380013800x", false),
        ] {
            assert_eq!(phone_problem(phone).is_none(), ok, "{phone}");
        }
    }

    /// A number typed on a Chinese keyboard in full-width mode, or with its country code, is
    /// the number meant; anything else is left as typed, for the rules to judge.
    #[test]
    fn a_phone_typed_full_width_or_with_its_country_code_is_the_number_meant() {
        for (typed, plain) in [
            ("１３８００１３８０００", "13800138000"),
            ("１３８　００１３　８０００", "138 0013 8000"),
            ("+86 138 0013 8000", "138 0013 8000"),
            ("＋８６－１３８００１３８０００", "13800138000"),
            ("0086 13800138000", "13800138000"),
            ("+852 9123 4567", "9123 4567"),
            ("  13800138000 ", "13800138000"),
            // Not a mainland mobile after +86, nor a Hong Kong number after +852: as typed.
            ("+86 9123 4567", "+86 9123 4567"),
            ("+852 13800138000", "+852 13800138000"),
            ("1380013800x", "1380013800x"),
        ] {
            assert_eq!(plain_phone(typed), plain, "{typed:?}");
        }
        let mut form = ApplicationForm::DrivingLicenceRenewal(DrivingLicenceRenewalForm {
            phone: "１３８００１３８０００".into(),
            ..Default::default()
        });
        form.tidy_phone();
        let ApplicationForm::DrivingLicenceRenewal(f) = &form else {
            unreachable!()
        };
        assert_eq!(f.phone, "13800138000");
        assert!(phone_problem(&f.phone).is_none());
    }

    #[test]
    fn months_must_be_real_in_order_and_not_in_the_future() {
        let form = |from: &str, to: &str| {
            ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm {
                identity_licence_id: Some("x".into()),
                from_month: from.into(),
                to_month: to.into(),
                purpose: Some(RecordPurpose::Housing),
            })
            .check("2026-11")
        };
        assert!(form("2020-01", "2026-11").is_empty());
        assert_eq!(form("2020-13", "2026-11")[0].field, FormField::FromMonth);
        assert_eq!(form("2020-01", "2026-12")[0].field, FormField::ToMonth);
        assert_eq!(
            form("2026-01", "2025-01")[0].problem,
            FieldProblem::BadMonth
        );
    }

    #[test]
    fn text_that_could_disguise_itself_is_refused_even_in_a_draft() {
        let mut f = renewal();
        f.postal_address = "天河路\u{202e}583号".into();
        let form = ApplicationForm::DrivingLicenceRenewal(f);
        assert_eq!(form.check_draft()[0].problem, FieldProblem::BadCharacters);
        let empty = ApplicationForm::empty(ServiceId::FoodBusinessPermit).unwrap();
        assert!(empty.check_draft().is_empty(), "a blank draft can be saved");
    }

    #[test]
    fn the_catalogue_lists_high_frequency_services_first_and_each_once() {
        let all = catalogue();
        assert_eq!(all.len(), ServiceId::ALL.len());
        let first_other = all.iter().position(|s| !s.high_frequency).unwrap();
        assert!(all[first_other..].iter().all(|s| !s.high_frequency));
        for id in ServiceId::ALL {
            assert_eq!(ServiceId::parse(id.as_str()), Some(id));
        }
    }

    #[test]
    fn forms_serialise_tagged_by_service() {
        let v = serde_json::to_value(ApplicationForm::DrivingLicenceRenewal(renewal())).unwrap();
        assert_eq!(v["service"], "driving_licence_renewal");
        assert_eq!(v["reason"], "expiring");
    }
}
