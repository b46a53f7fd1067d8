//! Demo accounts and data, seeded into an empty database when `KAPOK_DEMO=1`.
//! Every account's password is [`DEMO_PASSWORD`].

use kapok_api::{FieldKey, HolderKind, LicenceType, Localized, Policy, PolicyTag, uscc};

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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(u.username) // demo ids are the usernames: readable in the audit log
        .bind(u.username)
        .bind(&password_hash)
        .bind(u.display_name)
        .bind(u.persona)
        .bind(u.locale)
        .bind(i64::from(u.prefers_elderly_mode))
        .bind(u.department)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let check =
        uscc::check_character(COMPANY_USCC_BODY).expect("the demo code body is well-formed");
    let company_uscc = format!("{COMPANY_USCC_BODY}{check}");
    sqlx::query("INSERT INTO enterprises (id, name, uscc) VALUES ('kapok-digital', $1, $2)")
        .bind(COMPANY_NAME)
        .bind(&company_uscc)
        .execute(&mut *tx)
        .await?;
    for (user, role) in [
        ("legal-rep", "legal_representative"),
        ("staff", "staff"),
        ("clerk", "staff"),
    ] {
        sqlx::query("INSERT INTO enterprise_members (enterprise_id, user_id, role) VALUES ('kapok-digital', $1, $2)")
            .bind(user)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    for (user, id_number) in id_numbers() {
        sqlx::query("UPDATE users SET id_number = $1 WHERE id = $2")
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
        sqlx::query(
            "INSERT INTO relatives (user_id, relative_user_id, relation) VALUES ($1, $2, $3)",
        )
        .bind(user)
        .bind(relative)
        .bind(relation)
        .execute(&mut *tx)
        .await?;
    }
    seed_licences(&mut tx, &company_uscc, &clock::today(now)).await?;
    seed_policies(&mut tx, now).await?;
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
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
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

/// A policy in the demo library: id, tags, issuer, publication date, and the title and
/// summary in zh-CN, zh-HK and en (each written by hand, in that order).
struct SeedPolicy {
    id: &'static str,
    tags: &'static [PolicyTag],
    issuer: &'static str,
    published_on: &'static str,
    title: [&'static str; 3],
    summary: [&'static str; 3],
}

/// The library the demo starts with: measures of the kinds Guangzhou companies look for, from
/// the State, the province and the city, together carrying every tag. They follow published
/// measures in outline; the amounts are the demo's, so a real company reads the issuer's text.
/// Each has a word of its own in each locale (担保 / 擔保 / guaranteed, …), which the tests
/// and the e2e search for. The demo company follows no tag at first.
const POLICIES: &[SeedPolicy] = &[
    SeedPolicy {
        id: "pol-gz-startup-loan",
        tags: &[PolicyTag::City, PolicyTag::Founding],
        issuer: "广州市人力资源和社会保障局",
        published_on: "2024-09-05",
        title: [
            "广州市创业担保贷款及贴息",
            "廣州市創業擔保貸款及貼息",
            "Guangzhou guaranteed start-up loans with interest subsidy",
        ],
        summary: [
            "在穗创业的高校毕业生、返乡入乡创业人员、退役军人等可申请创业担保贷款：个人最高 30 万元，\
             合伙创业的按每人 30 万元、最高 300 万元，符合条件的小微企业最高 500 万元。贷款期限最长 3 年，\
             借款人只需承担贷款市场报价利率（LPR）减 150 个基点以下部分的利息，其余由财政贴息。\
             可通过“穗好办”或经办银行网点申请。",
            "在廣州創業的大學畢業生、回鄉創業人士及退役軍人等，可申請創業擔保貸款：個人最高人民幣 30 萬元，\
             合夥創業按每人 30 萬元計、上限 300 萬元，合資格的小微企業最高 500 萬元。貸款期最長三年，\
             借款人只須負擔貸款市場報價利率（LPR）減 150 個基點以下部分的利息，其餘由政府補貼。\
             可透過「穗好辦」或承辦銀行分行申請。",
            "People starting a business in Guangzhou (recent graduates, people coming home to set up in \
             business, veterans and others) can borrow with a government guarantee: up to RMB 300,000 \
             each, up to RMB 3 million for partners together, and up to RMB 5 million for a qualifying \
             small or micro enterprise. Loans run for up to three years; the borrower pays interest only \
             up to the loan prime rate minus 150 basis points, and the government pays the rest. Apply \
             through Sui Hao Ban or at a participating bank branch.",
        ],
    },
    SeedPolicy {
        id: "pol-gz-first-hire-subsidy",
        tags: &[PolicyTag::City, PolicyTag::FirstHire],
        issuer: "广州市人力资源和社会保障局",
        published_on: "2025-01-10",
        title: [
            "一次性吸纳就业补贴",
            "一次性吸納就業補貼",
            "One-off subsidy for hiring a new graduate or young jobseeker",
        ],
        summary: [
            "企业、个体工商户等招用毕业年度或离校 2 年内未就业的高校毕业生、登记失业的 16—24 岁青年，\
             与其签订 1 年以上劳动合同，并按月足额缴纳社会保险费满 3 个月的，按每招用 1 人 1500 元给予\
             一次性吸纳就业补贴。每名劳动者只计算一次，补贴直接拨付到企业对公账户。",
            "企業及個體戶聘用畢業年度或離校兩年內仍未就業的大學畢業生，或已登記失業的 16 至 24 歲青年，\
             與其簽訂一年或以上的勞動合約，並按月足額繳付社會保險費滿三個月，每聘用一人可獲人民幣 1,500 元\
             一次性吸納就業補貼。每名僱員只計算一次，款項直接撥入企業的公司帳戶。",
            "A company or sole trader that hires a graduate of this year (or one still without work up to \
             two years after leaving college), or a registered unemployed young person aged 16 to 24, on \
             a contract of at least one year, and pays their social insurance in full for three months, \
             receives a one-off RMB 1,500 for each person hired. Each employee counts once; the money is \
             paid into the company's bank account.",
        ],
    },
    SeedPolicy {
        id: "pol-gz-hitech-reward",
        tags: &[PolicyTag::City, PolicyTag::Technology, PolicyTag::Expansion],
        issuer: "广州市科学技术局",
        published_on: "2025-03-18",
        title: [
            "广州市高新技术企业认定奖励",
            "廣州市高新技術企業認定獎勵",
            "Guangzhou reward for newly certified high-tech enterprises",
        ],
        summary: [
            "对首次通过国家高新技术企业认定的在穗企业，市财政给予一次性奖励 20 万元；从外地整体迁入广州、\
             资格仍在有效期内的高新技术企业，同样可获奖励。获认定的企业还可享受 15% 的企业所得税优惠税率\
             和研发费用加计扣除，用于扩大研发投入和经营规模。",
            "首次通過國家高新技術企業認定的廣州企業，可獲市政府一次性獎勵人民幣 20 萬元；由外地整體遷入廣州、\
             資格仍然有效的高新技術企業，亦可獲獎勵。獲認定的企業另可享 15% 企業所得稅優惠稅率及研發開支\
             加計扣除，有助擴大研發投入及業務規模。",
            "A Guangzhou company certified as a national high and new technology enterprise for the first \
             time receives a one-off reward of RMB 200,000 from the city; so does a certified company that \
             moves its whole business to Guangzhou while its certificate is still valid. Certified \
             companies also pay enterprise income tax at the reduced rate of 15% and deduct research and \
             development costs at a higher rate, which helps them grow.",
        ],
    },
    SeedPolicy {
        id: "pol-gz-catering-relief",
        tags: &[PolicyTag::City, PolicyTag::Catering],
        issuer: "广州市商务局",
        published_on: "2025-05-28",
        title: [
            "广州市餐饮业纾困扶持措施",
            "廣州市餐飲業紓困支援措施",
            "Relief measures for Guangzhou's catering trade",
        ],
        summary: [
            "经营困难的中小餐饮企业和个体工商户，承租国有房屋的可申请减免 3 个月租金；符合条件的可阶段性\
             缓缴养老、失业和工伤保险单位缴费部分，缓缴期间免收滞纳金。商务部门联合外卖平台发放餐饮消费券，\
             并对“老字号”餐饮门店升级改造给予补助。",
            "經營困難的中小型食肆及個體戶，如租用國有物業，可申請減免三個月租金；合資格者可暫緩繳交養老、\
             失業及工傷保險的僱主供款部分，暫緩期間免收滯納金。商務部門與外賣平台合作派發餐飲消費券，\
             並資助「老字號」食肆翻新及升級。",
            "Small and medium restaurants and sole traders in difficulty that rent state-owned premises \
             can apply for three months' rent relief; qualifying ones may put off paying the employer's \
             share of pension, unemployment and work-injury insurance for a while, with no late fees. The \
             commerce bureau and delivery platforms hand out dining vouchers, and time-honoured brands get \
             grants to refurbish their premises.",
        ],
    },
    SeedPolicy {
        id: "pol-gd-export-credit-insurance",
        tags: &[PolicyTag::Provincial, PolicyTag::Export],
        issuer: "广东省商务厅",
        published_on: "2024-04-12",
        title: [
            "广东省外贸企业出口信用保险保费资助",
            "廣東省外貿企業出口信用保險保費資助",
            "Guangdong export credit insurance premium support for foreign-trade firms",
        ],
        summary: [
            "支持中小微外贸企业投保短期出口信用保险，防范海外买家拒收、拖欠货款等风险。省级财政对企业当年\
             实际缴纳的保费给予最高 50% 的资助，首次投保的小微企业可通过统保平台获得全额保费支持；投保企业\
             还可凭保单向银行申请出口信保融资。",
            "支援中小微外貿企業投保短期出口信用保險，防範海外買家拒收貨品或拖欠貨款等風險。省政府資助企業\
             當年實際繳付保費最多 50%，首次投保的小微企業可透過統保平台獲全數保費支援；投保企業亦可憑保單\
             向銀行申請出口信保融資。",
            "Guangdong helps small and medium foreign-trade companies insure their short-term export sales \
             against overseas buyers refusing the goods or failing to pay. The province pays up to 50% of \
             the premiums a company paid in the year, and a small or micro enterprise insuring for the \
             first time is covered in full through the joint insurance platform; an insured company can \
             also borrow from its bank against the cover.",
        ],
    },
    SeedPolicy {
        id: "pol-gd-manufacturing-digital",
        tags: &[
            PolicyTag::Provincial,
            PolicyTag::Manufacturing,
            PolicyTag::Expansion,
        ],
        issuer: "广东省工业和信息化厅",
        published_on: "2024-06-20",
        title: [
            "广东省制造业数字化转型扶持",
            "廣東省製造業數碼化轉型資助",
            "Guangdong support for digital transformation in manufacturing",
        ],
        summary: [
            "推动规模以上工业企业数字化转型：对中小型制造企业上云用云、购买工业软件和智能化改造项目，\
             省市财政按项目投入给予最高 30% 的补助；对评为数字化转型标杆的“灯塔工厂”和智能工厂给予奖励，\
             并提供免费的数字化转型诊断服务。",
            "推動具規模工業企業數碼化轉型：中小型製造企業使用雲端服務、購買工業軟件及進行智能化改造，\
             省市政府按項目投資額資助最多 30%；獲評為數碼化轉型標杆的「燈塔工廠」及智能工廠可獲獎勵，\
             另設免費數碼化轉型診斷服務。",
            "Guangdong helps industrial companies go digital: small and medium manufacturers moving to \
             cloud services, buying industrial software or automating their production lines receive up \
             to 30% of the project's cost from the province and city, model \"lighthouse\" and smart \
             factories are rewarded, and a free digital-readiness assessment is offered.",
        ],
    },
    SeedPolicy {
        id: "pol-national-small-business-tax",
        tags: &[PolicyTag::National],
        issuer: "财政部 税务总局",
        published_on: "2023-08-02",
        title: [
            "小型微利企业所得税优惠",
            "小型微利企業所得稅優惠",
            "Income-tax relief for small low-profit enterprises",
        ],
        summary: [
            "对小型微利企业减按 25% 计算应纳税所得额，按 20% 的税率缴纳企业所得税，政策延续执行至 2027 年\
             12 月 31 日。小型微利企业是指年应纳税所得额不超过 300 万元、从业人数不超过 300 人、资产总额\
             不超过 5000 万元的企业，申报时自行判别享受，无需备案。",
            "小型微利企業的應課稅所得額減按 25% 計算，並按 20% 稅率繳納企業所得稅，措施延續至 2027 年\
             12 月 31 日。小型微利企業指全年應課稅所得額不超過人民幣 300 萬元、僱員不超過 300 人、資產總額\
             不超過 5,000 萬元的企業；申報時自行判斷享受，毋須備案。",
            "A small low-profit enterprise counts only 25% of its taxable income and pays enterprise \
             income tax on it at 20%, an arrangement extended to 31 December 2027. It qualifies with \
             taxable income of no more than RMB 3 million a year, no more than 300 staff and total assets \
             of no more than RMB 50 million, and claims the relief itself when filing, with no advance \
             registration.",
        ],
    },
    SeedPolicy {
        id: "pol-gz-retail-upgrade",
        tags: &[PolicyTag::City, PolicyTag::Retail, PolicyTag::Expansion],
        issuer: "广州市商务局",
        published_on: "2025-08-15",
        title: [
            "广州市商贸企业升规入统奖励",
            "廣州市商貿企業「升規入統」獎勵",
            "Guangzhou reward for retailers growing past the reporting threshold",
        ],
        summary: [
            "对首次达到限额以上标准并纳入统计的批发、零售、住宿和餐饮企业，市、区两级给予一次性奖励，\
             其中零售企业最高 10 万元；连续两年保持在库且营业额增长的，再给予发展奖励，支持增设门店、\
             开设新网点。",
            "首次達到限額以上標準並納入統計的批發、零售、住宿及餐飲企業，可獲市、區兩級一次性獎勵，\
             其中零售企業最多人民幣 10 萬元；連續兩年保持在統計範圍內而營業額上升的，可再獲發展獎勵，\
             支援增設門市及開設新分店。",
            "A wholesale, retail, hotel or catering business that passes the above-quota size threshold \
             for the first time and joins the official statistics receives a one-off reward from the city \
             and district, up to RMB 100,000 for a retailer; one that stays in the statistics for two \
             years with growing sales receives a further reward to help it open new shops.",
        ],
    },
];

async fn seed_policies(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
) -> Result<(), sqlx::Error> {
    for p in POLICIES {
        let [title_zh_cn, title_zh_hk, title_en] = p.title;
        let [summary_zh_cn, summary_zh_hk, summary_en] = p.summary;
        let policy = Policy {
            id: p.id.into(),
            title: Localized {
                zh_cn: title_zh_cn.into(),
                zh_hk: title_zh_hk.into(),
                en: title_en.into(),
            },
            summary: Localized {
                zh_cn: summary_zh_cn.into(),
                zh_hk: summary_zh_hk.into(),
                en: summary_en.into(),
            },
            issuer: p.issuer.into(),
            published_on: p.published_on.into(),
            tags: p.tags.to_vec(),
        };
        store::policies::insert(tx, &policy, None, now).await?;
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
    fn the_demo_library_keeps_the_rules_officials_publish_by_and_carries_every_tag() {
        let mut ids = std::collections::BTreeSet::new();
        let mut tags = std::collections::BTreeSet::<PolicyTag>::new();
        for p in POLICIES {
            let localized = |[zh_cn, zh_hk, en]: [&str; 3]| Localized {
                zh_cn: zh_cn.into(),
                zh_hk: zh_hk.into(),
                en: en.into(),
            };
            let new = kapok_api::NewPolicy {
                title: localized(p.title),
                summary: localized(p.summary),
                issuer: p.issuer.into(),
                tags: p.tags.to_vec(),
            };
            let checked =
                crate::policies::checked_policy(new.clone(), p.id.into(), p.published_on.into())
                    .unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
            assert_eq!(
                (checked.title, checked.summary),
                (new.title, new.summary),
                "{}: nothing to trim",
                p.id
            );
            assert_eq!(checked.tags, p.tags, "{}: tags in order, each once", p.id);
            assert!(clock::parse_date(p.published_on).is_some(), "{}", p.id);
            // A line continuation that ate a space would join two words.
            for text in p.title.iter().chain(&p.summary) {
                assert!(!text.contains("  "), "{}: {text}", p.id);
            }
            assert!(p.id.starts_with("pol-") && ids.insert(p.id), "{}", p.id);
            tags.extend(p.tags);
        }
        assert_eq!(
            tags.len(),
            PolicyTag::ALL.len(),
            "every tag shows something"
        );
    }

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
