// TEMP stub until the real module lands.
pub struct AllowedHosts;
impl AllowedHosts {
    pub fn parse(_entries: &[String]) -> Result<AllowedHosts, String> { Ok(AllowedHosts) }
    pub fn allows(&self, _scheme: &str, _host: &str, _port: Option<u16>) -> bool { true }
    pub fn allows_self(&self) -> bool { true }
    pub fn suggestion(scheme: &str, host: &str, _port: Option<u16>) -> String { format!("{scheme}://{host}") }
}
