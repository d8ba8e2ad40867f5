//! Where a plain-text message's own words end: the quoted history a reply drags along ("On …
//! wrote:" and the `>` lines under it, an Outlook "From: / Sent:" header block, an "Original
//! Message" divider) and the signature after the `-- ` delimiter. The UI shows the message's
//! own words and folds the rest behind a toggle; nothing is removed from what is stored.

/// A message's text split into its own words and what can be folded away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// What the sender wrote in this message.
    pub body: String,
    /// Quoted history and signature (empty when there is none).
    pub folded: String,
}

/// The verb of attribution lines in the languages agents meet most ("On … wrote:",
/// "Am … schrieb …:", "Le … a écrit :").
const WROTE: [&str; 7] = [
    "wrote",
    "schrieb",
    "a écrit",
    "escribió",
    "scrisse",
    "schreef",
    "skrev",
];

fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let t = line.trim();
    // The line (or its continuation) ends with a colon and says who wrote.
    let ends = |s: &str| {
        let s = s.trim_end();
        s.ends_with(':') && WROTE.iter().any(|w| s.contains(w))
    };
    let starts = ["On ", "Am ", "Le ", "El ", "Il ", "Op ", "Den ", "Em "]
        .iter()
        .any(|p| t.starts_with(p));
    starts && (ends(t) || next.is_some_and(|n| !n.trim().is_empty() && ends(n)))
}

fn is_divider(line: &str) -> bool {
    let t = line.trim().trim_matches('-').trim().to_ascii_lowercase();
    line.trim().starts_with("---") && (t == "original message" || t == "ursprüngliche nachricht")
}

/// An Outlook-style header block: `From:` followed within three lines by `Sent:`/`Date:` and
/// `To:`/`Subject:`.
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let head = |l: &str, names: &[&str]| {
        let l = l.trim_start_matches(['*', ' ']);
        names.iter().any(|n| l.starts_with(n))
    };
    if !head(lines[i], &["From:", "Von:", "De :", "De:"]) {
        return false;
    }
    let window = &lines[i + 1..lines.len().min(i + 4)];
    window
        .iter()
        .any(|l| head(l, &["Sent:", "Date:", "Gesendet:", "Envoyé :", "Datum:"]))
        && window
            .iter()
            .any(|l| head(l, &["To:", "Subject:", "An:", "Betreff:", "À :", "Objet :"]))
}

/// Splits `text` into the sender's own words and the foldable rest.
pub fn split(text: &str) -> Split {
    let lines: Vec<&str> = text.lines().collect();
    let mut cut = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if *line == "-- "
            || is_divider(line)
            || is_attribution(line, lines.get(i + 1).copied())
            || is_header_block(&lines, i)
        {
            cut = i;
            break;
        }
    }
    // A trailing block of `>` lines (and blank lines among them).
    let mut start = lines.len();
    let mut quoted = false;
    for (i, line) in lines.iter().enumerate().rev() {
        let t = line.trim_start();
        if t.starts_with('>') {
            quoted = true;
            start = i;
        } else if t.is_empty() {
            continue;
        } else {
            break;
        }
    }
    if quoted {
        cut = cut.min(start);
    }
    // Nothing of their own above the cut: show everything.
    if lines[..cut].iter().all(|l| l.trim().is_empty()) {
        return Split {
            body: text.trim_end().to_owned(),
            folded: String::new(),
        };
    }
    Split {
        body: lines[..cut].join("\n").trim_end().to_owned(),
        folded: lines[cut..].join("\n").trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn gmail_style_history_is_folded() {
        let s = split(
            "Thanks, that worked!\n\nOn Mon, 23 Nov 2026 at 10:00, Support <support@example.com>\nwrote:\n> Try turning it off and on.\n",
        );
        assert_eq!(s.body, "Thanks, that worked!");
        assert!(s.folded.starts_with("On Mon"), "{s:?}");
    }

    #[test]
    fn outlook_headers_dividers_and_signatures_are_folded() {
        let outlook = split(
            "See attached.\n\nFrom: Support\nSent: Monday\nTo: Ana\nSubject: Re: x\n\nold text",
        );
        assert_eq!(outlook.body, "See attached.");
        let divider = split("Yes.\n-----Original Message-----\nold");
        assert_eq!(divider.body, "Yes.");
        let signed = split("Call me.\n-- \nAna Lima\nACME");
        assert_eq!(signed.body, "Call me.");
        assert_eq!(signed.folded, "-- \nAna Lima\nACME");
        let german = split("Danke!\n\nAm 23.11.2026 um 10:00 schrieb Support <s@x.de>:\n> Hallo");
        assert_eq!(german.body, "Danke!");
    }

    #[test]
    fn interleaved_answers_stay_and_plain_mail_is_untouched() {
        let inline = "> Which size?\nLarge.\n> Which colour?\nBlue.";
        assert_eq!(split(inline).body, inline);
        assert_eq!(split(inline).folded, "");
        let plain = "Hello,\n\nmy order did not arrive.\n";
        assert_eq!(split(plain).body, "Hello,\n\nmy order did not arrive.");
        let all_quoted = "> only a quote";
        assert_eq!(split(all_quoted).body, all_quoted);
    }
}
