//! What an admin runs on the Windows host to export its firewall state for
//! `vmmports audit`.

/// One line for an elevated PowerShell (Windows PowerShell 5.1 and
/// PowerShell 7 alike) that writes `<COMPUTERNAME>-firewall.json` in the
/// current folder, in the shape [`super`] documents.
///
/// Why it is built this way:
/// - `-PolicyStore ActiveStore` everywhere: the rules and settings in
///   force, Group Policy's included (the default store is only the local
///   one);
/// - each filter cmdlet runs once over the whole store and is joined to
///   its rule by `InstanceID`: asking per rule (`$rule |
///   Get-NetFirewallPortFilter`) takes minutes on 3,000 rules;
/// - enums are cast to `[string]`, so both PowerShells write names (5.1
///   has no `-EnumsAsStrings`), and lists are forced with `@()`;
/// - `Set-Content -Encoding UTF8`: UTF-8 in both (5.1 adds a BOM, which the
///   reader skips), where 5.1's `>` would write UTF-16.
pub const EXPORT_COMMAND: &str = concat!(
    "$s='ActiveStore'; $f=@{}; ",
    "foreach($k in 'Port','Address','Application','Service'){ $f[$k]=@{}; & \"Get-NetFirewall${k}Filter\" -PolicyStore $s | ForEach-Object { $f[$k][$_.InstanceID]=$_ } }; ",
    "$r=Get-NetFirewallRule -PolicyStore $s | ForEach-Object { $i=$_.InstanceID; $p=$f.Port[$i]; $a=$f.Address[$i]; $g=$f.Application[$i]; $v=$f.Service[$i]; ",
    "[pscustomobject]@{ Name=$_.Name; DisplayName=$_.DisplayName; Enabled=[string]$_.Enabled; Direction=[string]$_.Direction; Action=[string]$_.Action; Profile=[string]$_.Profile; ",
    "PolicyStoreSourceType=[string]$_.PolicyStoreSourceType; PolicyStoreSource=$_.PolicyStoreSource; Protocol=$p.Protocol; LocalPort=@($p.LocalPort); RemotePort=@($p.RemotePort); IcmpType=@($p.IcmpType); ",
    "LocalAddress=@($a.LocalAddress); RemoteAddress=@($a.RemoteAddress); Program=$g.Program; Package=$g.Package; Service=$v.Service } }; ",
    "[pscustomobject]@{ Rules=@($r); ",
    "Profiles=@(Get-NetFirewallProfile -PolicyStore $s | ForEach-Object { [pscustomobject]@{ Name=$_.Name; Enabled=[string]$_.Enabled; DefaultInboundAction=[string]$_.DefaultInboundAction; DefaultOutboundAction=[string]$_.DefaultOutboundAction; AllowInboundRules=[string]$_.AllowInboundRules; AllowLocalFirewallRules=[string]$_.AllowLocalFirewallRules } }); ",
    "Connections=@(Get-NetConnectionProfile | ForEach-Object { [pscustomobject]@{ InterfaceAlias=$_.InterfaceAlias; NetworkCategory=[string]$_.NetworkCategory } }); ",
    "Addresses=@(Get-NetIPAddress | Select-Object IPAddress,PrefixLength) } | ConvertTo-Json -Depth 5 -Compress | Set-Content -Encoding UTF8 -Path \"$env:COMPUTERNAME-firewall.json\""
);

/// The `reg export` lines for the local policy and Group Policy's, for a
/// machine where the JSON export cannot run (or to read the policy as
/// stored). Either shell runs them. The second fails with "unable to
/// find the specified registry key" where no Group Policy sets firewall
/// rules: then the local file alone is the whole policy. The registry does
/// not say which profile is active: give `--profile`.
pub const REG_EXPORT_COMMANDS: &[&str] = &[
    r#"reg export "HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy" firewall-local.reg /y"#,
    r#"reg export "HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall" firewall-gpo.reg /y"#,
];
