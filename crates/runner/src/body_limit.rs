//! Request body caps, applied while the body is read: a declared
//! `Content-Length` over the cap is refused before anything is read, and a
//! streamed (chunked) body is cut off as soon as it crosses the cap, so the
//! runner never holds more than the cap (plus one frame) of any body.
//!
//! `spin up` has no such cap; the runner adds one because it is also what
//! serves Baton in development and tests, and an anonymous 256 MiB POST must
//! not cost the process its memory. The app declares larger caps per
//! component in `[component.<id>.tool.baton-runner]`, which Spin ignores.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// The default cap when neither the CLI nor the component sets one: 1 MiB.
pub const DEFAULT_MAX_REQUEST_BODY_BYTES: u64 = 1024 * 1024;

/// Whether the declared length already exceeds the cap. A malformed
/// `Content-Length` is left to hyper, which rejects it before this point.
pub fn declared_too_large(headers: &HeaderMap, limit: u64) -> bool {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|len| len > limit)
}

/// A request body that fails once more than `limit` bytes have arrived and
/// records that it did (`exceeded`), so the server answers 413 whatever the
/// component made of the failed read.
pub struct LimitedBody<B> {
    inner: Pin<Box<B>>,
    limit: u64,
    seen: u64,
    exceeded: Arc<AtomicBool>,
}

impl<B> LimitedBody<B> {
    pub fn new(inner: B, limit: u64) -> (Self, Arc<AtomicBool>) {
        let exceeded = Arc::new(AtomicBool::new(false));
        (
            Self {
                inner: Box::pin(inner),
                limit,
                seen: 0,
                exceeded: exceeded.clone(),
            },
            exceeded,
        )
    }
}

impl<B> Body for LimitedBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<wasmtime_wasi_http::Error>,
{
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.exceeded.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        match this.inner.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen = this.seen.saturating_add(data.len() as u64);
                    if this.seen > this.limit {
                        this.exceeded.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(
                            wasmtime_wasi_http::Error::HttpRequestBodySize(Some(this.limit)),
                        )));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.exceeded.load(Ordering::Relaxed) || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The 413 answer, as a problem document like the app's own errors; the
/// connection is closed after it (the rest of the body is not read).
pub fn too_large(limit: u64) -> Response<HyperOutgoingBody> {
    let detail = serde_json::json!({
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": format!("The request body is larger than this endpoint accepts ({limit} bytes)."),
    });
    let mut res = crate::server::plain(StatusCode::PAYLOAD_TOO_LARGE, &detail.to_string());
    let headers = res.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};

    /// A chunked body: `n` frames of `size` bytes, counting how many were read.
    struct Frames {
        left: usize,
        size: usize,
        read: Arc<std::sync::atomic::AtomicUsize>,
    }

    impl Body for Frames {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            self.left -= 1;
            self.read.fetch_add(1, Ordering::Relaxed);
            Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'x'; self.size])))))
        }
    }

    #[tokio::test]
    async fn a_body_within_the_cap_passes_whole() {
        let (body, exceeded) = LimitedBody::new(Full::new(Bytes::from(vec![1u8; 100])), 100);
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len(), 100);
        assert!(!exceeded.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_streamed_body_is_cut_off_at_the_cap_not_read_to_the_end() {
        let read = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let frames = Frames {
            left: 1000,
            size: 1024,
            read: read.clone(),
        };
        let (body, exceeded) = LimitedBody::new(frames, 10 * 1024);
        assert!(body.collect().await.is_err());
        assert!(exceeded.load(Ordering::Relaxed));
        assert_eq!(
            read.load(Ordering::Relaxed),
            11,
            "stops at the frame that crosses"
        );
    }

    #[test]
    fn declared_length_is_checked_before_reading() {
        let mut h = HeaderMap::new();
        assert!(!declared_too_large(&h, 10));
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("10"));
        assert!(!declared_too_large(&h, 10));
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("11"));
        assert!(declared_too_large(&h, 10));
    }

    #[test]
    fn the_answer_is_a_413_problem_that_closes() {
        let r = too_large(5);
        assert_eq!(r.status(), 413);
        assert_eq!(r.headers()["connection"], "close");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
}
