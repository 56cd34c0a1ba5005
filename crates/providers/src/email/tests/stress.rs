//! Pathological inputs of a few hundred kilobytes: each call must stay
//! linear (a quadratic path would take minutes here, not milliseconds).

use crate::email::mime::decode_words;
use crate::email::*;

const N: usize = 60_000;

#[test]
fn encoded_word_lookalikes() {
    let s = "=?a?q? ".repeat(N);
    assert_eq!(decode_words(&s), s);
    let s = format!("=?{}", "a".repeat(N * 5));
    assert_eq!(decode_words(&s), s);
    let s = "=?utf-8?q?".to_owned() + &"x".repeat(N * 5);
    assert_eq!(decode_words(&s), s);
}

#[test]
fn huge_header_lists() {
    let to: Vec<String> = (0..N).map(|i| format!("u{i}@example.org")).collect();
    let refs: Vec<String> = (0..N).map(|i| format!("<m{i}@x>")).collect();
    let raw = format!(
        "From: jo@example.org\nTo: {}\nCc: {}\nReferences: {}\nSubject: {}\n\nbody",
        to.join(", "),
        to.join(",\n "),
        refs.join(" "),
        "=?utf-8?q?a?= ".repeat(N)
    );
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(email.to.len(), N);
    assert_eq!(email.references.len(), 100);
    let many_headers = "X-A: b\n".repeat(N) + "From: jo@example.org\n\nx";
    assert!(parse_mime(many_headers.as_bytes()).is_ok());
    let long_params = format!(
        "From: jo@example.org\nContent-Type: text/plain{}\n\nx",
        "; a*1*=b".repeat(N)
    );
    assert!(parse_mime(long_params.as_bytes()).is_ok());
}

#[test]
fn multipart_lookalike_lines() {
    let raw = format!(
        "From: jo@example.org\nContent-Type: multipart/mixed; boundary=b\n\n{}",
        "--b x\n".repeat(N)
    );
    assert!(parse_mime(raw.as_bytes()).is_ok());
    let raw = format!(
        "From: jo@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n{}--b--",
        "x".repeat(N * 5)
    );
    assert!(parse_mime(raw.as_bytes()).is_ok());
}

#[test]
fn html_shapes() {
    let inputs = [
        "<a ".repeat(N),
        "<!".repeat(N),
        "<!--".repeat(N),
        "<?".repeat(N),
        "</".repeat(N),
        "</a".repeat(N),
        "<div>".repeat(N),
        "</div>".repeat(N),
        "<svg>".repeat(N),
        "<script>".repeat(N),
        "<textarea></textarea".repeat(N),
        "&".repeat(N * 5),
        "&amp;&#x41;&eacute;&ampx".repeat(N),
        format!("<b{}>", " a=1".repeat(N)),
        format!(
            "<b{}>",
            (0..N).map(|i| format!(" a{i}")).collect::<String>()
        ),
        format!("<a href=\"{}\">x</a>", "h".repeat(N * 5)),
        "<blockquote>".repeat(N),
        "<li>x".repeat(N),
    ];
    for input in &inputs {
        let out = sanitize_html(input);
        assert_eq!(sanitize_html(&out), out);
        let _ = html_to_text(input);
    }
}

#[test]
fn reply_shapes() {
    let inputs = [
        "On 1 Jan wrote:\n".repeat(N),
        "From: a\n".repeat(N),
        "From: a\nSent: b\n".repeat(N),
        "> x\n".repeat(N),
        "\n".repeat(N * 5),
        "x wrote:\n\n".repeat(N),
        "Sent from my iPhone\n".repeat(N),
        "-- \n".repeat(N),
        "a".repeat(N * 10),
        "On ".repeat(N) + "wrote:",
    ];
    for input in &inputs {
        assert_eq!(reply_text(input).is_empty(), input.trim().is_empty());
    }
}

#[test]
fn webhook_shapes() {
    let mut body = Vec::new();
    let mut info = String::from("{");
    for i in 0..N {
        info.push_str(&format!("\"attachment{i}\":{{\"filename\":\"f{i}\"}},"));
    }
    info.push_str("\"x\":1}");
    body.extend_from_slice(
        b"--b\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\njo@example.org\r\n",
    );
    body.extend_from_slice(
        b"--b\r\nContent-Disposition: form-data; name=\"attachment-info\"\r\n\r\n",
    );
    body.extend_from_slice(info.as_bytes());
    body.extend_from_slice(b"\r\n");
    for i in 0..1000 {
        body.extend_from_slice(format!("--b\r\nContent-Disposition: form-data; name=\"attachment{i}\"; filename=\"a\"\r\n\r\nv\r\n").as_bytes());
    }
    let mut too_many = body.clone();
    body.extend_from_slice(b"--b--\r\n");
    let email = parse_sendgrid("multipart/form-data; boundary=b", &body).unwrap();
    assert!(email.attachments.len() <= 1000 + 1024);
    // More fields than any form has.
    for _ in 0..100 {
        too_many
            .extend_from_slice(b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n");
    }
    assert!(parse_sendgrid("multipart/form-data; boundary=b", &too_many).is_err());

    let to: Vec<String> = (0..N)
        .map(|i| format!("{{\"Email\":\"u{i}@x.test\"}}"))
        .collect();
    let headers: Vec<String> = (0..N)
        .map(|i| format!("{{\"Name\":\"X-{i}\",\"Value\":\"v\"}}"))
        .collect();
    let json = format!(
        "{{\"From\":\"jo@example.org\",\"ToFull\":[{}],\"Headers\":[{}]}}",
        to.join(","),
        headers.join(",")
    );
    assert_eq!(parse_postmark(json.as_bytes()).unwrap().to.len(), N);

    let form = format!(
        "timestamp=1&token=t&signature=s&from=jo%40example.org&{}",
        "a=b&".repeat(N)
    );
    assert!(parse_mailgun("application/x-www-form-urlencoded", form.as_bytes()).is_ok());
}
