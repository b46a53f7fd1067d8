//! Demo accounts and data, seeded into an empty database when `KAPOK_DEMO=1`.
//! Every account's password is [`DEMO_PASSWORD`].

use kapok_api::{FieldKey, HolderKind, LicenceType, uscc};

use crate::{
    clock,
    db::Db,
    session::hash_password,
    store::{
        self,
        licences::{NewLicence, StoredField},
    },
};

pub const DEMO_PASSWORD: &str = "kapok-demo";

struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    persona: &'static str,
    locale: &'static str,
    prefers_elderly_mode: bool,
    department: Option<&'static str>,
}

const USERS: &[DemoUser] = &[
    // A Guangzhou resident in her thirties.
    DemoUser {
        username: "resident",
        display_name: "陈嘉欣",
        persona: "resident",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // A retired resident aged 78 (born 1948), who reads best in elderly mode.
    DemoUser {
        username: "elder",
        display_name: "李桂英",
        persona: "resident",
        locale: "zh-CN",
        prefers_elderly_mode: true,
        department: None,
    },
    // A Hong Kong resident working in Guangzhou; reads Traditional Chinese.
    DemoUser {
        username: "hk-resident",
        display_name: "陳志偉",
        persona: "resident",
        locale: "zh-HK",
        prefers_elderly_mode: false,
        department: None,
    },
    // Staff (经办人) of the demo company.
    DemoUser {
        username: "staff",
        display_name: "周晓彤",
        persona: "enterprise",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // A second member of staff, new at the company: starts with no authority at all.
    DemoUser {
        username: "clerk",
        display_name: "吴嘉豪",
        persona: "enterprise",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // The demo company's legal representative (法定代表人).
    DemoUser {
        username: "legal-rep",
        display_name: "梁国栋",
        persona: "enterprise",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // An officer at a window of the Tianhe district government service centre: verifies
    // licences at the counter and decides residents' everyday services.
    DemoUser {
        username: "official",
        display_name: "王丽华",
        persona: "official",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: Some("service_centre"),
    },
    // An officer of the Tianhe district market-regulation bureau: decides companies' permits.
    DemoUser {
        username: "market-official",
        display_name: "黄志明",
        persona: "official",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: Some("market_regulation"),
    },
];

/// The demo company's register entry.
pub const COMPANY_NAME: &str = "广州木棉数字科技有限公司";
/// Registration authority 9 (market regulation), kind 1 (enterprise), Tianhe district
/// (440106), organisation code MA5D8XKP3; the check character is computed.
const COMPANY_USCC_BODY: &str = "91440106MA5D8XKP3";

/// Seeds the demo data if the database has no users yet; returns whether it did.
pub async fn seed_if_empty(db: &Db) -> Result<bool, sqlx::Error> {
    if store::users::count(db).await? > 0 {
        return Ok(false);
    }
    let password_hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let now = store::now();
    let mut tx = db.begin().await?;
    for u in USERS {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, display_name, persona, preferred_locale,
                                prefers_elderly_mode, department, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(u.username) // demo ids are the usernames: readable in the audit log
        .bind(u.username)
        .bind(&password_hash)
        .bind(u.display_name)
        .bind(u.persona)
        .bind(u.locale)
        .bind(u.prefers_elderly_mode)
        .bind(u.department)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let check =
        uscc::check_character(COMPANY_USCC_BODY).expect("the demo code body is well-formed");
    let company_uscc = format!("{COMPANY_USCC_BODY}{check}");
    sqlx::query("INSERT INTO enterprises (id, name, uscc) VALUES ('kapok-digital', ?, ?)")
        .bind(COMPANY_NAME)
        .bind(&company_uscc)
        .execute(&mut *tx)
        .await?;
    for (user, role) in [
        ("legal-rep", "legal_representative"),
        ("staff", "staff"),
        ("clerk", "staff"),
    ] {
        sqlx::query("INSERT INTO enterprise_members (enterprise_id, user_id, role) VALUES ('kapok-digital', ?, ?)")
            .bind(user)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    for (user, id_number) in id_numbers() {
        sqlx::query("UPDATE users SET id_number = ? WHERE id = ?")
            .bind(id_number)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    // The household register: the resident and her mother, each from their own side.
    for (user, relative, relation) in [
        ("resident", "elder", "mother"),
        ("elder", "resident", "child"),
    ] {
        sqlx::query("INSERT INTO relatives (user_id, relative_user_id, relation) VALUES (?, ?, ?)")
            .bind(user)
            .bind(relative)
            .bind(relation)
            .execute(&mut *tx)
            .await?;
    }
    seed_licences(&mut tx, &company_uscc, &clock::today(now)).await?;
    tx.commit().await?;
    Ok(true)
}

/// The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).
fn id_check_character(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    "10X98765432"
        .chars()
        .nth((sum % 11) as usize)
        .unwrap_or('0')
}

/// The check digit of a Hong Kong identity card number with a one-letter prefix.
fn hkid_check_character(letter: char, digits: &str) -> char {
    // A one-letter prefix is weighed as if preceded by a space (value 36).
    let mut sum = 36 * 9 + (letter as u32 - 'A' as u32 + 10) * 8;
    for (c, weight) in digits.chars().zip((2..=7).rev()) {
        sum += c.to_digit(10).unwrap_or(0) * weight;
    }
    match 11 - sum % 11 {
        10 => 'A',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

/// The ID number each demo person registered with (the resident's and the elder's match their
/// ID cards in the wallet; the 17th digit is odd for men and even for women, as the standard has it).
fn id_numbers() -> [(&'static str, String); 8] {
    let mainland = |first17: &str| format!("{first17}{}", id_check_character(first17));
    [
        ("resident", mainland("44010619910314232")),
        ("elder", mainland("44010419480602128")),
        (
            "hk-resident",
            format!("A123456({})", hkid_check_character('A', "123456")),
        ),
        ("staff", mainland("44010619960817452")),
        ("clerk", mainland("44010619980304215")),
        ("legal-rep", mainland("44010319780225331")),
        ("official", mainland("44010619850611064")),
        ("market-official", mainland("44010619790923351")),
    ]
}

/// id, type, holder, holder's name, number, card face, issued on, valid until, issuer.
type SeedLicence<'a> = (
    &'a str,
    LicenceType,
    (&'a str, HolderKind),
    &'a str,
    String,
    Vec<StoredField>,
    &'a str,
    Option<&'a str>,
    &'a str,
);

fn field(key: FieldKey, value: &str) -> StoredField {
    StoredField {
        key,
        value: value.into(),
        sensitive: false,
    }
}

fn secret(key: FieldKey, value: &str) -> StoredField {
    StoredField {
        key,
        value: value.into(),
        sensitive: true,
    }
}

/// The resident's driving licence runs out this many days after the demo is seeded, so the
/// demo always has a licence to renew (within `EXPIRY_NOTICE_DAYS`, it is announced too).
pub const RESIDENT_DRIVING_LICENCE_DAYS_LEFT: i64 = 19;

async fn seed_licences(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    company_uscc: &str,
    today: &str,
) -> Result<(), sqlx::Error> {
    use FieldKey::*;
    use HolderKind::{Enterprise, Person};
    use LicenceType::*;

    let resident_id = format!(
        "44010619910314232{}",
        id_check_character("44010619910314232")
    );
    let elder_id = format!(
        "44010419480602128{}",
        id_check_character("44010419480602128")
    );
    let hkid = format!("A123456({})", hkid_check_character('A', "123456"));
    let tianhe_police = "广州市公安局天河分局";
    let traffic_police = "广州市公安局交通警察支队";
    let social_security = "广州市人力资源和社会保障局";
    let market_regulation = "广州市天河区市场监督管理局";
    // A first driving licence runs six years.
    let driving_until = clock::date_in_days(today, RESIDENT_DRIVING_LICENCE_DAYS_LEFT);
    let driving_issued = clock::date_in_years(&driving_until, -6);

    let licences: Vec<SeedLicence> = vec![
        (
            "lic-resident-id",
            ResidentIdCard,
            ("resident", Person),
            "陈嘉欣",
            resident_id.clone(),
            vec![
                field(Name, "陈嘉欣"),
                field(Sex, "女"),
                field(Ethnicity, "汉"),
                field(BirthDate, "1991-03-14"),
                secret(Address, "广东省广州市天河区天河路385号"),
                secret(IdNumber, &resident_id),
            ],
            "2019-05-20",
            Some("2039-05-20"),
            tianhe_police,
        ),
        (
            "lic-resident-ssc",
            SocialSecurityCard,
            ("resident", Person),
            "陈嘉欣",
            "A44010632".into(),
            vec![
                field(Name, "陈嘉欣"),
                secret(SocialSecurityNumber, &resident_id),
                secret(CardNumber, "A44010632"),
                field(Bank, "中国工商银行"),
            ],
            "2020-08-01",
            Some("2030-08-01"),
            social_security,
        ),
        (
            "lic-resident-dl",
            DrivingLicence,
            ("resident", Person),
            "陈嘉欣",
            resident_id.clone(),
            vec![
                field(Name, "陈嘉欣"),
                secret(LicenceNumber, &resident_id),
                field(VehicleClass, "C1"),
                field(FirstIssued, "2013-07-09"),
            ],
            &driving_issued,
            Some(&driving_until),
            traffic_police,
        ),
        (
            "lic-resident-vl",
            VehicleLicence,
            ("resident", Person),
            "陈嘉欣",
            "粤A·D12345".into(),
            vec![
                field(PlateNumber, "粤A·D12345"),
                field(VehicleType, "小型轿车"),
                field(Owner, "陈嘉欣"),
                secret(Vin, "LSVAU2180N2123456"),
            ],
            "2022-03-18",
            None,
            traffic_police,
        ),
        (
            "lic-resident-hr",
            HouseholdRegister,
            ("resident", Person),
            "陈嘉欣",
            "440106012345".into(),
            vec![
                field(Name, "陈嘉欣"),
                field(HouseholdHead, "陈嘉欣"),
                field(Relationship, "户主"),
                field(HouseholdType, "居民家庭户"),
                secret(Address, "广东省广州市天河区天河路385号"),
            ],
            "2019-05-20",
            None,
            tianhe_police,
        ),
        (
            "lic-elder-id",
            ResidentIdCard,
            ("elder", Person),
            "李桂英",
            elder_id.clone(),
            vec![
                field(Name, "李桂英"),
                field(Sex, "女"),
                field(Ethnicity, "汉"),
                field(BirthDate, "1948-06-02"),
                secret(Address, "广东省广州市越秀区东风中路318号"),
                secret(IdNumber, &elder_id),
            ],
            "2008-06-12",
            None,
            "广州市公安局越秀分局",
        ),
        (
            "lic-elder-ssc",
            SocialSecurityCard,
            ("elder", Person),
            "李桂英",
            "A44010418".into(),
            vec![
                field(Name, "李桂英"),
                secret(SocialSecurityNumber, &elder_id),
                secret(CardNumber, "A44010418"),
                field(Bank, "中国建设银行"),
            ],
            "2017-03-01",
            Some("2027-03-01"),
            social_security,
        ),
        (
            "lic-elder-dl",
            DrivingLicence,
            ("elder", Person),
            "李桂英",
            elder_id.clone(),
            vec![
                field(Name, "李桂英"),
                secret(LicenceNumber, &elder_id),
                field(VehicleClass, "C1"),
                field(FirstIssued, "1998-02-01"),
            ],
            "2018-02-01",
            Some("2024-02-01"),
            traffic_police,
        ),
        (
            "lic-hk-id",
            HkIdentityCard,
            ("hk-resident", Person),
            "陳志偉",
            hkid.clone(),
            vec![
                field(Name, "陳志偉 CHAN, Chi Wai"),
                field(BirthDate, "1987-10-05"),
                field(Sex, "男 M"),
                field(DateOfIssue, "2018-09-12"),
                secret(HkidNumber, &hkid),
            ],
            "2018-09-12",
            None,
            "香港特別行政區入境事務處",
        ),
        (
            "lic-company-bl",
            BusinessLicence,
            ("kapok-digital", Enterprise),
            COMPANY_NAME,
            company_uscc.into(),
            vec![
                field(CompanyName, COMPANY_NAME),
                field(Uscc, company_uscc),
                field(CompanyType, "有限责任公司（自然人投资或控股）"),
                field(LegalRepresentative, "梁国栋"),
                field(RegisteredCapital, "人民币伍佰万元"),
                field(EstablishedOn, "2019-04-08"),
                field(Address, "广州市天河区珠江新城华夏路10号28楼"),
                field(
                    BusinessScope,
                    "软件开发；信息技术咨询服务；数据处理和存储支持服务",
                ),
            ],
            "2019-04-08",
            None,
            market_regulation,
        ),
        (
            "lic-company-food",
            FoodBusinessPermit,
            ("kapok-digital", Enterprise),
            COMPANY_NAME,
            "JY14401060123456".into(),
            vec![
                field(Operator, COMPANY_NAME),
                field(PermitNumber, "JY14401060123456"),
                field(LegalRepresentative, "梁国栋"),
                field(Premises, "广州市天河区珠江新城华夏路10号27楼职工食堂"),
                field(BusinessItems, "热食类食品制售"),
            ],
            "2022-07-01",
            Some("2027-06-30"),
            market_regulation,
        ),
    ];
    for (
        id,
        licence_type,
        holder,
        holder_name,
        number,
        fields,
        issued_on,
        valid_until,
        issuing_authority,
    ) in licences
    {
        let licence = NewLicence {
            id,
            licence_type,
            holder,
            holder_name,
            number: &number,
            fields: &fields,
            issued_on,
            valid_until,
            issuing_authority,
        };
        store::licences::insert(&mut **tx, &licence).await?;
    }
    Ok(())
}

/// The demo accounts, for the start-up banner: (username, display name, persona).
pub fn accounts() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    USERS
        .iter()
        .map(|u| (u.username, u.display_name, u.persona))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_check_character_matches_the_published_example() {
        // GB 11643-1999's worked example: 11010519491231002X.
        assert_eq!(id_check_character("11010519491231002"), 'X');
    }

    #[test]
    fn hkid_check_digit_catches_any_single_typo() {
        // By hand: 36·9 + 10·8 + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 481; 11 − 481 mod 11 = 3.
        assert_eq!(hkid_check_character('A', "123456"), '3');
        let base = hkid_check_character('A', "123456");
        for position in 0..6 {
            for digit in '0'..='9' {
                let mut typo: Vec<char> = "123456".chars().collect();
                if typo[position] == digit {
                    continue;
                }
                typo[position] = digit;
                let typo: String = typo.into_iter().collect();
                assert_ne!(hkid_check_character('A', &typo), base, "A{typo}");
            }
        }
        assert_ne!(hkid_check_character('B', "123456"), base);
    }
}
