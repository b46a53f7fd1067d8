//! Enterprise policies: a library of support measures, found by tag (level, industry, stage of
//! the business) or by words in any locale, and pushed to the inbox of companies subscribed
//! to a matching tag.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A tag a policy carries and a company can subscribe to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PolicyTag {
    // Who issued it.
    National,
    Provincial,
    City,
    // The industry it is for.
    Catering,
    Retail,
    Technology,
    Manufacturing,
    // The stage of the business.
    Founding,
    FirstHire,
    Expansion,
    Export,
}

/// The three kinds of tag, for grouping the choices.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TagGroup {
    Level,
    Industry,
    Stage,
}

impl PolicyTag {
    pub const ALL: [PolicyTag; 11] = [
        PolicyTag::National,
        PolicyTag::Provincial,
        PolicyTag::City,
        PolicyTag::Catering,
        PolicyTag::Retail,
        PolicyTag::Technology,
        PolicyTag::Manufacturing,
        PolicyTag::Founding,
        PolicyTag::FirstHire,
        PolicyTag::Expansion,
        PolicyTag::Export,
    ];

    pub fn group(self) -> TagGroup {
        use PolicyTag::*;
        match self {
            National | Provincial | City => TagGroup::Level,
            Catering | Retail | Technology | Manufacturing => TagGroup::Industry,
            Founding | FirstHire | Expansion | Export => TagGroup::Stage,
        }
    }

    pub fn as_str(self) -> &'static str {
        use PolicyTag::*;
        match self {
            National => "national",
            Provincial => "provincial",
            City => "city",
            Catering => "catering",
            Retail => "retail",
            Technology => "technology",
            Manufacturing => "manufacturing",
            Founding => "founding",
            FirstHire => "first_hire",
            Expansion => "expansion",
            Export => "export",
        }
    }

    pub fn parse(s: &str) -> Option<PolicyTag> {
        PolicyTag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A text written in each of the app's languages.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Localized {
    pub zh_cn: String,
    pub zh_hk: String,
    pub en: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Policy {
    pub id: String,
    pub title: Localized,
    pub summary: Localized,
    /// Who issued it, in its own words (e.g. 广州市人力资源和社会保障局).
    pub issuer: String,
    /// `YYYY-MM-DD`.
    pub published_on: String,
    /// At least one level tag; any number of the others.
    pub tags: Vec<PolicyTag>,
}

/// A new policy, published by an official.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewPolicy {
    pub title: Localized,
    pub summary: Localized,
    pub issuer: String,
    pub tags: Vec<PolicyTag>,
}

/// The tags a company follows; a new policy with any of them reaches its inbox.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Subscriptions {
    pub tags: Vec<PolicyTag>,
}

/// Longest title, in characters, in any language.
pub const POLICY_TITLE_MAX: usize = 120;
/// Longest summary, in characters, in any language.
pub const POLICY_SUMMARY_MAX: usize = 1000;
/// Longest issuer name, in characters.
pub const POLICY_ISSUER_MAX: usize = 120;
