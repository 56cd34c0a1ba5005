//! Host bindings for the Spin interfaces in `wit/`. Every import is
//! trappable so a misused handle traps (as in Spin) while ordinary failures
//! go back to the guest as the interface's error variant. SQLite `execute`
//! is async (as all host functions are in Spin): a write may wait its turn
//! in the write queue without holding a tokio worker.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "baton:runner/spin-imports",
    imports: {
        "fermyon:spin/sqlite.[method]connection.execute": async | trappable,
        "spin:sqlite/sqlite.[method]connection.execute": async | trappable,
        default: trappable,
    },
    with: {
        "fermyon:spin/key-value.store": crate::key_value::StoreHandle,
        "fermyon:spin/sqlite.connection": crate::sqlite::Connection,
        "spin:sqlite/sqlite.connection": crate::sqlite::Connection,
    },
});

pub use fermyon::spin::key_value as kv2;
pub use fermyon::spin::sqlite as sqlite2;
pub use fermyon::spin::variables as variables2;
pub use spin::sqlite::sqlite as sqlite3;
