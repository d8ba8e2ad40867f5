//! Unit tests of the filter parser: shapes, round trips, errors with positions, limits.

use super::*;

fn parse(s: &str) -> Filter {
    Filter::parse(s).expect("parses").expect("not empty")
}

fn err(s: &str) -> String {
    Filter::parse(s).expect_err("refused").message
}

fn cond(field: &str, op: Op, value: Operand) -> Filter {
    Filter::Cond(Condition {
        field: field.into(),
        op,
        value,
        column: 0,
    })
}

/// The tree with columns zeroed, to compare shapes.
fn shape(f: Filter) -> Filter {
    match f {
        Filter::And(p) => Filter::And(p.into_iter().map(shape).collect()),
        Filter::Or(p) => Filter::Or(p.into_iter().map(shape).collect()),
        Filter::Not(i) => Filter::Not(Box::new(shape(*i))),
        Filter::Cond(c) => Filter::Cond(Condition { column: 0, ..c }),
    }
}

fn one(v: &str) -> Operand {
    Operand::One(v.into())
}

#[test]
fn parses_the_example_with_precedence_and_grouping() {
    let f = parse(
        "lifecycle_stage = customer AND owner = me AND company.industry = \"Software\" \
         AND (custom.score >= 50 OR tag = vip) AND deals.open_amount > 10000",
    );
    assert_eq!(
        shape(f),
        Filter::And(vec![
            cond("lifecycle_stage", Op::Eq, one("customer")),
            cond("owner", Op::Eq, one("me")),
            cond("company.industry", Op::Eq, one("Software")),
            Filter::Or(vec![
                cond("custom.score", Op::Ge, one("50")),
                cond("tag", Op::Eq, one("vip")),
            ]),
            cond("deals.open_amount", Op::Gt, one("10000")),
        ])
    );
    // AND binds tighter than OR.
    assert_eq!(
        shape(parse("a = 1 OR b = 2 AND c = 3")),
        Filter::Or(vec![
            cond("a", Op::Eq, one("1")),
            Filter::And(vec![
                cond("b", Op::Eq, one("2")),
                cond("c", Op::Eq, one("3"))
            ]),
        ])
    );
}

#[test]
fn every_operator_and_value_form() {
    let cases = [
        ("name != \"Ada L\"", Op::Ne, one("Ada L")),
        ("amount > -3.5", Op::Gt, one("-3.5")),
        ("created_at >= 2026-01-31", Op::Ge, one("2026-01-31")),
        ("custom.score < 10", Op::Lt, one("10")),
        ("custom.score <= 10", Op::Le, one("10")),
        (
            "email contains \"@example.com\"",
            Op::Contains,
            one("@example.com"),
        ),
        ("name STARTS_WITH ad", Op::StartsWith, one("ad")),
        (
            "tag in (vip, \"key account\", 'x')",
            Op::In,
            Operand::List(vec!["vip".into(), "key account".into(), "x".into()]),
        ),
        ("title is empty", Op::IsEmpty, Operand::None),
        ("title IS NOT EMPTY", Op::IsNotEmpty, Operand::None),
        ("email = ada@example.com", Op::Eq, one("ada@example.com")),
        ("name = \"say \\\"hi\\\"\"", Op::Eq, one("say \"hi\"")),
    ];
    for (text, op, value) in cases {
        let Filter::Cond(c) = parse(text) else {
            panic!("{text}: not a condition")
        };
        assert_eq!((c.op, c.value), (op, value), "{text}");
        assert_eq!(c.column, 1);
    }
    assert_eq!(
        shape(parse("NOT (a = 1 OR not b = 2)")),
        Filter::Not(Box::new(Filter::Or(vec![
            cond("a", Op::Eq, one("1")),
            Filter::Not(Box::new(cond("b", Op::Eq, one("2")))),
        ])))
    );
}

#[test]
fn printing_round_trips() {
    for text in [
        "lifecycle_stage = customer AND owner = me AND company.industry = Software AND (custom.score >= 50 OR tag = vip) AND deals.open_amount > 10000",
        "NOT (a = 1 OR b = 2) AND NOT c is empty",
        "name = \"Ada \\\"the\\\" Countess\" OR tag in (vip, \"key account\", \"and\")",
        "x is not empty OR y contains \"a,b\" OR z starts_with \"\"",
        "((a = 1))",
    ] {
        let printed = parse(text).to_string();
        let again = parse(&printed);
        assert_eq!(again.to_string(), printed, "{text}");
        assert_eq!(shape(again), shape(parse(text)), "{text} → {printed}");
    }
    assert_eq!(quote("and"), "\"and\"");
    assert_eq!(quote("vip"), "vip");
    assert_eq!(quote(""), "\"\"");
}

#[test]
fn empty_text_is_no_filter() {
    assert_eq!(Filter::parse("   ").unwrap(), None);
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(
        err("lifecycle_stage = "),
        "expected a value after `=` at column 19 (end of the filter)"
    );
    assert_eq!(
        err("owner = me AND name = AND x = 1"),
        "expected a value after `=`, found `AND` at column 23"
    );
    assert!(err("name ~ x").contains("unexpected character `~` at column 6"));
    assert!(err("(a = 1").contains("expected `)` to close the `(` at column 1"));
    assert!(err("a = 1)").contains("unexpected `)` (no matching `(`) at column 6"));
    assert!(err("a = 1 b = 2").contains("expected AND or OR before `b` at column 7"));
    assert!(err("a = \"open").contains("unclosed string starting at column 5"));
    assert!(err("a is full").contains("expected `empty` after `is`"));
    assert!(err("a in x").contains("expected `(` after `in`"));
    assert!(err("a in (1 2)").contains("expected `,` or `)` in the `in` list"));
    assert!(err("= 3").contains("expected a field name, found `=` at column 1"));
    assert!(err("name").contains("expected an operator"));
    assert!(err("AND a = 1").contains("expected a field name"));
}

#[test]
fn limits_are_enforced() {
    let long = format!("name = \"{}\"", "x".repeat(MAX_LEN));
    assert!(err(&long).contains("too long"));
    let deep = format!(
        "{}a = 1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(err(&deep).contains("nested too deeply"));
    let nots = format!("{}a = 1", "NOT ".repeat(MAX_DEPTH + 1));
    assert!(err(&nots).contains("nested too deeply"));
    let many = vec!["a = 1"; MAX_CONDITIONS + 1].join(" AND ");
    assert!(err(&many).contains("too many conditions"));
    let list = (0..=MAX_LIST)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    assert!(err(&format!("a in ({list})")).contains("at most 100 values"));
    let value = format!("a = {}", "v".repeat(MAX_VALUE + 1));
    assert!(err(&value).contains("the value at column 5 is too long"));
    // Within the limits: fine.
    let ok = vec!["a = 1"; MAX_CONDITIONS].join(" OR ");
    assert_eq!(parse(&ok).conditions().len(), MAX_CONDITIONS);
}
