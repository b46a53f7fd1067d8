//! Licences (e-licences in the wallet), their presentations and verifications.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The kinds of licence Kapok holds. Each has its own card face and fields.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenceType {
    /// 居民身份证
    ResidentIdCard,
    /// 社会保障卡
    SocialSecurityCard,
    /// 机动车驾驶证
    DrivingLicence,
    /// 机动车行驶证
    VehicleLicence,
    /// 居民户口簿
    HouseholdRegister,
    /// 香港永久性居民身份证
    HkIdentityCard,
    /// 营业执照
    BusinessLicence,
    /// 食品经营许可证
    FoodBusinessPermit,
}

impl LicenceType {
    pub const ALL: [LicenceType; 8] = [
        LicenceType::ResidentIdCard,
        LicenceType::SocialSecurityCard,
        LicenceType::DrivingLicence,
        LicenceType::VehicleLicence,
        LicenceType::HouseholdRegister,
        LicenceType::HkIdentityCard,
        LicenceType::BusinessLicence,
        LicenceType::FoodBusinessPermit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LicenceType::ResidentIdCard => "resident_id_card",
            LicenceType::SocialSecurityCard => "social_security_card",
            LicenceType::DrivingLicence => "driving_licence",
            LicenceType::VehicleLicence => "vehicle_licence",
            LicenceType::HouseholdRegister => "household_register",
            LicenceType::HkIdentityCard => "hk_identity_card",
            LicenceType::BusinessLicence => "business_licence",
            LicenceType::FoodBusinessPermit => "food_business_permit",
        }
    }

    pub fn parse(s: &str) -> Option<LicenceType> {
        LicenceType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    Valid,
    /// Valid, but ends within 30 days.
    Expiring,
    Expired,
    /// Withdrawn by the issuer; its codes no longer verify.
    Revoked,
}

/// Every field a licence can show. The client labels them in each locale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKey {
    Name,
    Sex,
    Ethnicity,
    BirthDate,
    Address,
    IdNumber,
    SocialSecurityNumber,
    CardNumber,
    Bank,
    LicenceNumber,
    VehicleClass,
    FirstIssued,
    PlateNumber,
    VehicleType,
    Owner,
    Vin,
    HouseholdHead,
    Relationship,
    HouseholdType,
    HkidNumber,
    DateOfIssue,
    CompanyName,
    Uscc,
    CompanyType,
    LegalRepresentative,
    RegisteredCapital,
    EstablishedOn,
    BusinessScope,
    PermitNumber,
    Operator,
    Premises,
    BusinessItems,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicenceField {
    pub key: FieldKey,
    pub value: String,
    /// An identifier shown masked until the holder chooses to reveal it.
    pub sensitive: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HolderKind {
    Person,
    Enterprise,
}

/// A licence as listed in the wallet.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicenceSummary {
    pub id: String,
    pub licence_type: LicenceType,
    pub holder_kind: HolderKind,
    pub holder_name: String,
    /// The licence's own number, masked (e.g. `4401**********1234`).
    pub number_masked: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// `YYYY-MM-DD`; `None` for a licence valid indefinitely (长期).
    pub valid_until: Option<String>,
    pub status: LicenceStatus,
    pub issuing_authority: String,
    /// Set when the caller sees this licence through a grant (its id), not as its holder.
    #[serde(default)]
    pub through_grant: Option<String>,
}

/// A licence with all its fields, for its holder.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Licence {
    pub summary: LicenceSummary,
    pub fields: Vec<LicenceField>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PresentationRequest {
    /// How many consecutive tokens to issue (1 to 5); later ones start when earlier ones end,
    /// so a phone can keep showing a valid code for a while without a network.
    // The bounds are the server's batch limit; without them the document said "any u8 from 0"
    // and a schema-valid 6 or 200 was refused.
    #[serde(default, deserialize_with = "crate::whole_number::optional")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub count: Option<u8>,
}

/// One signed token for the QR code.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Presentation {
    /// The text to encode in the QR code (`KP1:` + base45).
    pub token: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VerifyRequest {
    pub token: String,
    /// Where the check happens (e.g. "天河区政务服务中心 3 号窗口"), shown to the holder:
    /// cut to `PLACE_MAX` characters, without control or text-direction characters.
    #[serde(default)]
    pub place: Option<String>,
}

/// Longest place label kept for the holder, in characters.
pub const PLACE_MAX: usize = 80;

/// A token that checked out: what the verifier may see, and no more.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VerifiedLicence {
    pub licence_type: LicenceType,
    pub holder_name: String,
    pub number_masked: String,
    pub valid_until: Option<String>,
    pub issuing_authority: String,
    /// The fields this licence type discloses to a verifier.
    pub shown_fields: Vec<LicenceField>,
    pub key_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// A public key the verifier may trust, for checking codes offline.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssuerKey {
    pub key_id: String,
    /// The Ed25519 public key, base64url without padding.
    pub public_key: String,
    pub algorithm: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssuerKeys {
    pub keys: Vec<IssuerKey>,
    /// When the server answered (Unix seconds), so an offline verifier can say how fresh.
    pub as_of: i64,
}

impl IssuerKeys {
    /// The keys as (key id, Ed25519 public key) pairs; a malformed entry is skipped, never trusted.
    pub fn decoded(&self) -> Vec<(String, [u8; 32])> {
        use base64::Engine;
        self.keys
            .iter()
            .filter(|k| k.algorithm == "EdDSA")
            .filter_map(|k| {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&k.public_key)
                    .ok()?;
                Some((k.key_id.clone(), bytes.try_into().ok()?))
            })
            .collect()
    }
}

/// One check of a licence, as its holder sees it ("who saw my data").
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Verification {
    pub verified_at: i64,
    /// Who checked: an official's name and department, or `None` for the public verifier.
    pub verifier: Option<String>,
    pub place: Option<String>,
    /// The same code was presented again after its first check.
    pub replay: bool,
}

/// Shows enough of a licence or identity number to tell it from others, never enough to copy
/// it: the first and last four characters of a long number, two of a short one, and a Hong
/// Kong identity card's check digit whole, brackets and all. The wallet list, a licence's page
/// and the verifier show a number the same way.
pub fn mask_number(number: &str) -> String {
    let len = number.chars().count();
    let keep = if len >= 12 { 4 } else { 2 };
    let tail = match number.strip_suffix(')').and_then(|n| n.rfind('(')) {
        Some(open) => number[open..].chars().count().max(keep),
        None => keep,
    };
    mask(number, keep, tail)
}

/// Masks all but the first `head` and last `tail` characters of an identifier.
pub fn mask(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask("440106199001011234", 4, 4), "4401**********1234");
        assert_eq!(mask("A123456(7)", 1, 3), "A******(7)");
        assert_eq!(mask("123", 2, 2), "***");
        assert_eq!(mask_number("440106199001011234"), "4401**********1234");
        assert_eq!(mask_number("粤A·D12345"), "粤A*****45");
        // The check digit keeps its brackets: no "A1******7)".
        assert_eq!(mask_number("A123456(7)"), "A1*****(7)");
        assert_eq!(mask_number("(7)"), "***");
        assert_eq!(mask("广州市天河区", 2, 0), "广州****");
    }

    #[test]
    fn licence_types_round_trip() {
        for t in LicenceType::ALL {
            assert_eq!(LicenceType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }
}
