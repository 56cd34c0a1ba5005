//! The web inbox component: serves the built front end (`web/dist`, mounted
//! at `/` by spin.toml) for every path the API routes do not claim. The
//! rules live in [`serve`]; this file only reads files and speaks Spin HTTP.

pub mod serve;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::serve::{self, Files};
    use spin_sdk::http::{Method, Request, Response};
    use spin_sdk::http_component;

    /// The files placed by spin.toml (`files = [{ source = "web/dist", destination = "/" }]`).
    struct Mounted;

    impl Files for Mounted {
        fn read(&self, path: &str) -> Option<Vec<u8>> {
            std::fs::read(path).ok()
        }
    }

    #[http_component]
    fn handle(req: Request) -> Response {
        let method = match req.method() {
            Method::Get => "GET",
            Method::Head => "HEAD",
            _ => "OTHER",
        };
        let header = |name: &str| req.header(name).and_then(|v| v.as_str());
        let answer = serve::serve(
            &serve::Request {
                method,
                path: req.path(),
                accept_encoding: header("accept-encoding"),
                if_none_match: header("if-none-match"),
            },
            &Mounted,
        );
        let mut builder = Response::builder();
        builder.status(answer.status);
        for (name, value) in answer.headers {
            builder.header(name, value);
        }
        builder.body(answer.body).build()
    }
}
