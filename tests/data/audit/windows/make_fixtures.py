#!/usr/bin/env python3
"""Writes the Windows firewall fixtures of tests/audit_windows.rs.

The JSON ones in the two shapes the export takes: PowerShell 7 (enums as
names, compact, UTF-8) and Windows PowerShell 5.1 (enums as numbers, its
`"Name":  value` layout with CRLF, some UTF-16LE with a BOM as `Out-File`
writes). The .reg ones as `reg export` writes them (UTF-16LE with a BOM),
a few saved again as UTF-8. Run it from this folder; the files are
committed, so the tests do not need Python.
"""
import json

# --- enum tables (MSFT_NetFirewallRule, MSFT_NetFirewallProfile, MSFT_NetConnectionProfile)
ENABLED = {"True": 1, "False": 2}
DIRECTION = {"Inbound": 1, "Outbound": 2}
ACTION = {"Allow": 2, "AllowBypass": 3, "Block": 4}
PROFILE = {"Any": 0, "Domain": 1, "Private": 2, "Public": 4}
STORE = {"Local": 1, "GroupPolicy": 2, "Dynamic": 3}
GPO_BOOL = {"False": 0, "True": 1, "NotConfigured": 2}
DEFAULT_ACTION = {"NotConfigured": 0, "Allow": 2, "Block": 4}
CATEGORY = {"Public": 0, "Private": 1, "DomainAuthenticated": 2}


def rule(name, display, port="Any", direction="Inbound", action="Allow", profile="Any",
         protocol="TCP", remote="Any", local_address="Any", enabled="True", store="Local",
         program="Any", service="Any", icmp="Any", remote_port="Any", package=None):
    return {
        "Name": name, "DisplayName": display, "Enabled": enabled, "Direction": direction,
        "Action": action, "Profile": profile, "PolicyStoreSourceType": store,
        "PolicyStoreSource": "PersistentStore" if store == "Local" else "contoso.com\\VMM Hosts Firewall",
        "Protocol": protocol, "LocalPort": port, "RemotePort": remote_port, "IcmpType": icmp,
        "LocalAddress": local_address, "RemoteAddress": remote, "Program": program,
        "Package": package, "Service": service,
    }


def profiles(domain=None, private=None, public=None):
    out = []
    for name, over in (("Domain", domain), ("Private", private), ("Public", public)):
        p = {"Name": name, "Enabled": "True", "DefaultInboundAction": "NotConfigured",
             "DefaultOutboundAction": "NotConfigured", "AllowInboundRules": "NotConfigured",
             "AllowLocalFirewallRules": "NotConfigured"}
        p.update(over or {})
        out.append(p)
    return out


def export(rules, connections=(("Ethernet", "DomainAuthenticated"),), addresses=(), **profile_overrides):
    return {
        "Rules": rules,
        "Profiles": profiles(**profile_overrides),
        "Connections": [{"InterfaceAlias": a, "NetworkCategory": c} for a, c in connections],
        "Addresses": [{"IPAddress": ip, "PrefixLength": n} for ip, n in addresses],
    }


def to_51(doc):
    """Enums as numbers, as Windows PowerShell 5.1's ConvertTo-Json writes them."""
    def profile_flags(v):
        if isinstance(v, int):
            return v
        return sum(PROFILE[p.strip()] for p in v.split(","))
    for r in doc["Rules"]:
        r["Enabled"] = ENABLED[r["Enabled"]]
        r["Direction"] = DIRECTION[r["Direction"]]
        r["Action"] = ACTION[r["Action"]]
        r["Profile"] = profile_flags(r["Profile"])
        r["PolicyStoreSourceType"] = STORE[r["PolicyStoreSourceType"]]
    for p in doc["Profiles"]:
        p["Enabled"] = GPO_BOOL[p["Enabled"]]
        p["AllowLocalFirewallRules"] = GPO_BOOL[p["AllowLocalFirewallRules"]]
        p["AllowInboundRules"] = GPO_BOOL[p["AllowInboundRules"]]
        p["DefaultInboundAction"] = DEFAULT_ACTION[p["DefaultInboundAction"]]
        p["DefaultOutboundAction"] = DEFAULT_ACTION[p["DefaultOutboundAction"]]
    for c in doc["Connections"]:
        c["NetworkCategory"] = CATEGORY[c["NetworkCategory"]]
    return doc


def write_7(name, doc):
    with open(name, "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(doc, separators=(",", ":")))


def write_51(name, doc, utf16=False):
    text = json.dumps(to_51(doc), indent=4, separators=(",", ":  ")).replace("\n", "\r\n") + "\r\n"
    if utf16:
        with open(name, "wb") as f:
            f.write(b"\xff\xfe" + text.encode("utf-16-le"))
    else:
        with open(name, "wb") as f:
            f.write(b"\xef\xbb\xbf" + text.encode("utf-8"))


def both(stem, doc_fn):
    write_7(f"ps7-{stem}.json", doc_fn())
    write_51(f"ps51-{stem}.json", doc_fn())


WINRM = lambda **k: rule("WINRM-HTTP-In-TCP", "Windows Remote Management (HTTP-In)", port="5985",
                         profile=k.pop("profile", "Domain, Private"), **k)
SMB = lambda **k: rule("FPS-SMB-In-TCP", "File and Printer Sharing (SMB-In)", port="445", program="System", **k)

# MS-FASP 2.2.34 / allow rule on its profile
both("winrm-domain", lambda: export([WINRM()]))
# A Domain-only rule on a Public network (the host missed its DC at boot)
both("domain-rule-on-public", lambda: export([WINRM(profile="Domain")], connections=(("Ethernet", "Public"),)))
# Block beats allow
both("block-beats-allow", lambda: export([
    SMB(),
    rule("{6F1C2E0A-7A51-4C1E-9F0B-1D2C3B4A5E60}", "Block SMB from the lab", port="445", action="Block",
         remote="10.0.0.0/255.0.0.0", store="GroupPolicy"),
]))
# Allow-bypass beats block
write_7("ps7-bypass-beats-block.json", export([
    rule("VMM-Agent-Bypass", "VMM agent (authenticated bypass)", port="5986", action="AllowBypass", store="GroupPolicy"),
    rule("Block-5986", "Block WinRM HTTPS", port="5986", action="Block", store="GroupPolicy"),
]))
# Disabled rules do not count
both("disabled-rule", lambda: export([WINRM(enabled="False")]))
# EnableFirewall off on the active profile
both("firewall-off", lambda: export([], connections=(("Ethernet", "Public"),), public={"Enabled": "False"}))
# Block all inbound connections, the allowed apps' too
write_7("ps7-block-all-inbound.json", export([WINRM()], domain={"AllowInboundRules": "False"}))
write_51("ps51-block-all-inbound.json", export([WINRM()], domain={"AllowInboundRules": "False"}))
# Default actions
write_7("ps7-default-inbound-allow.json", export([], domain={"DefaultInboundAction": "Allow"}))
write_51("ps51-default-outbound-block.json", export([
    rule("Out-HTTPS", "HTTPS out", direction="Outbound", remote_port="443"),
], domain={"DefaultOutboundAction": "Block"}))
write_7("ps7-outbound-default-allow.json", export([]))
# AllowLocalPolicyMerge (AllowLocalFirewallRules in the ActiveStore)
write_7("ps7-merge-off.json", export([WINRM()], domain={"AllowLocalFirewallRules": "False"}))
write_7("ps7-merge-not-configured.json", export([WINRM()]))
write_51("ps51-merge-off-gp-allow.json", export([
    rule("{0B5E8F3C-1111-4A2B-8C3D-222233334444}", "VMM: WinRM from the VMM servers", port="5985",
         remote="10.20.0.10-10.20.0.11", store="GroupPolicy"),
    rule("Local-Block-5985", "Block WinRM (local)", port="5985", action="Block"),
], domain={"AllowLocalFirewallRules": "False"}))
# Remote address scopes
write_7("ps7-remote-range.json", export([WINRM(remote="10.0.0.1-10.0.0.9")]))
write_51("ps51-remote-mask.json", export([WINRM(remote="10.1.0.0/255.255.0.0")]))
write_7("ps7-remote-list.json", export([WINRM(remote=["10.2.0.5", "10.3.0.0/24", "fd00:10::/64"])]))
write_7("ps7-local-subnet-known.json", export([WINRM(remote="LocalSubnet")],
                                              addresses=(("192.168.40.21", 24), ("fe80::5d1:2a3b:4c5d:6e7f%12", 64))))
write_7("ps7-local-subnet-unknown.json", export([WINRM(remote="LocalSubnet")]))
write_7("ps7-keyword-dns.json", export([rule("DNS-Only", "Only from the DNS servers", port="53", protocol="UDP", remote="DNS")]))
# Port keywords
write_7("ps7-rpc-epmap.json", export([rule("RemoteSvcAdmin-RPCSS-In-TCP", "Remote Service Management (RPC-EPMAP)",
                                          port="RPCEPMap", service="RpcSs", program="%SystemRoot%\\system32\\svchost.exe")]))
write_51("ps51-rpc-dynamic.json", export([rule("RemoteSvcAdmin-In-TCP", "Remote Service Management (RPC)",
                                              port="RPC", program="%SystemRoot%\\system32\\services.exe")]))
write_51("ps51-port-list.json", export([rule("BITS-HTTP", "VMM library transfers", port=["80", "443"])]))
write_7("ps7-port-range.json", export([rule("Hyper-V-LM", "Hyper-V live migration", port="6600"),
                                       rule("Dyn-Range", "Dynamic range", port="49152-65535")]))
write_7("ps7-iphttps-keyword.json", export([rule("CoreNet-IPHTTPS-In", "Core Networking - IPHTTPS (TCP-In)", port="IPHTTPSIn")]))
# Program and service rules
write_7("ps7-program-rule.json", export([rule("SQL-1433", "SQL Server (VMM database)", port="1433",
                                              program="C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe")]))
write_51("ps51-service-rule.json", export([rule("WINRM-SVC", "WinRM service only", port="5985", service="WinRM")]))
# Protocols
write_7("ps7-icmp-echo.json", export([
    rule("FPS-ICMP4-ERQ-In", "File and Printer Sharing (Echo Request - ICMPv4-In)", protocol="ICMPv4", icmp="8"),
    rule("FPS-ICMP6-ERQ-In", "File and Printer Sharing (Echo Request - ICMPv6-In)", protocol="ICMPv6", icmp="128", enabled="False"),
]))
write_7("ps7-protocol-any.json", export([rule("Mgmt-Station", "Everything from the management station", protocol="Any", remote="10.9.9.9")]))
write_51("ps51-udp-not-tcp.json", export([rule("DNS-UDP", "DNS (UDP-In)", port="53", protocol="UDP")]))
# Several interfaces on different networks
write_7("ps7-two-interfaces.json", export([WINRM(profile="Domain")],
                                          connections=(("Ethernet", "DomainAuthenticated"), ("vEthernet (Internet)", "Public"))))
write_7("ps7-profile-flags.json", export([WINRM(profile="Domain, Private")], connections=(("Ethernet", "Private"),)))

# 5.1's shapes: a list handed whole comes as {"value": [...], "Count": n};
# one profile and one connection as bare objects; UTF-16LE from Out-File.
doc = to_51(export([WINRM(), SMB()]))
doc["Rules"] = {"value": doc["Rules"], "Count": len(doc["Rules"])}
doc["Connections"] = doc["Connections"][0]
doc["Addresses"] = {"IPAddress": "10.20.1.15", "PrefixLength": 24}
text = json.dumps(doc, indent=4, separators=(",", ":  ")).replace("\n", "\r\n") + "\r\n"
with open("ps51-value-count-utf16.json", "wb") as f:
    f.write(b"\xff\xfe" + text.encode("utf-16-le"))
write_51("ps51-winrm-domain-utf16.json", export([WINRM()]), utf16=True)

# Errors
with open("ps7-error-bad-port.json", "w", newline="") as f:
    f.write('{"Rules":[\n{"Name":"X","Direction":"Inbound","Action":"Allow","Protocol":"TCP",\n "LocalPort":["5985","59x5"]}]}\n')
with open("ps7-error-syntax.json", "w", newline="") as f:
    f.write('{"Rules":[\n  {"Name":"X","Direction":"Inbound",}\n]}\n')
with open("ps51-error-direction.json", "w", newline="") as f:
    f.write('{\r\n    "Rules":  [\r\n                  {\r\n                      "Name":  "X",\r\n                      "Direction":  7,\r\n                      "Action":  2\r\n                  }\r\n              ]\r\n}\r\n')


# --- reg export files
LOCAL = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy"
GPO = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\WindowsFirewall"


def reg_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def reg(name, keys, utf16=True):
    lines = ["Windows Registry Editor Version 5.00", ""]
    for key, values in keys:
        lines.append(f"[{key}]")
        for v in values:
            if isinstance(v, str):
                lines.append(v)
            else:
                n, data = v
                if isinstance(data, int):
                    lines.append(f'"{n}"=dword:{data:08x}')
                else:
                    lines.append(f'"{n}"="{reg_escape(data)}"')
        lines.append("")
    text = "\r\n".join(lines) + "\r\n"
    with open(name, "wb") as f:
        if utf16:
            f.write(b"\xff\xfe" + text.encode("utf-16-le"))
        else:
            f.write(text.encode("utf-8"))


def profile_keys(root, **values):
    keys = []
    for sub in ("DomainProfile", "StandardProfile", "PublicProfile"):
        vals = [("EnableFirewall", 1)] + [(k, v) for k, v in values.get(sub, {}).items()]
        keys.append((f"{root}\\{sub}", vals))
    return keys


WINRM_STR = ("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|LPort=5985|"
             "App=System|Name=@FirewallAPI.dll,-35001|Desc=@FirewallAPI.dll,-35002|EmbedCtxt=@FirewallAPI.dll,-30267|")

reg("local-winrm.reg", profile_keys(LOCAL, PublicProfile={"DisableNotifications": 0}) + [
    (LOCAL + r"\FirewallRules", [
        ("WINRM-HTTP-In-TCP", WINRM_STR),
        ("WINRM-HTTP-In-TCP-PUBLIC", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=5985|RA4=LocalSubnet|RA6=LocalSubnet|App=System|Name=Windows Remote Management (HTTP-In)|"),
        ("CoreNet-DNS-Out-UDP", "v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|App=%SystemRoot%\\system32\\svchost.exe|Svc=dnscache|Name=Core Networking - DNS (UDP-Out)|"),
    ]),
])
reg("gpo-merge-off.reg", profile_keys(GPO, DomainProfile={"AllowLocalPolicyMerge": 0}, StandardProfile={"AllowLocalPolicyMerge": 0}) + [
    (GPO, [("PolicyVersion", 0x21f)]),
    (GPO + r"\FirewallRules", [
        ("{3B1A4C2D-9E8F-4A7B-8C6D-5E4F3A2B1C0D}", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=445|RA4=10.20.0.10-10.20.0.11|Name=VMM: SMB from the VMM servers|EmbedCtxt=VMM|"),
    ]),
])
reg("gpo-block-range.reg", [
    (GPO + r"\FirewallRules", [
        ("{A0000000-0000-4000-8000-000000000001}", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=10.0.0.1-10.0.0.9|Name=Block WinRM from the old subnet|"),
        ("{A0000000-0000-4000-8000-000000000002}", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|Name=WinRM from anywhere|"),
        ("{A0000000-0000-4000-8000-000000000003}", "v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8530|Name=WSUS (disabled)|"),
    ]),
], utf16=False)
reg("local-bypass.reg", [
    (LOCAL + r"\FirewallRules", [
        ("VMM-Bypass", "v2.30|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=5986|Security=AuthenticateEncrypt|RMAuth=O:LSD:(A;;CC;;;S-1-5-21-1-2-3-1105)|Name=VMM agent (authenticated bypass)|"),
        ("Block-5986", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5986|Name=Block WinRM HTTPS|"),
    ]),
])
reg("local-rpc.reg", [
    (LOCAL + r"\FirewallRules", [
        ("RemoteSvcAdmin-RPCSS-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|App=%SystemRoot%\\system32\\svchost.exe|Svc=RPCSS|Name=Remote Service Management (RPC-EPMAP)|"),
        ("RemoteSvcAdmin-In-TCP", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|App=%SystemRoot%\\system32\\services.exe|Name=Remote Service Management (RPC)|"),
        ("CoreNet-Teredo-In", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=Teredo|App=%SystemRoot%\\system32\\svchost.exe|Svc=iphlpsvc|Name=Core Networking - Teredo (UDP-In)|"),
        ("PlayTo-UDP-In", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=Ply2Disc|Name=Play To streaming (UDP-In)|"),
    ]),
])
reg("local-firewall-off.reg", profile_keys(LOCAL, StandardProfile={"EnableFirewall": 0}) + [
    (LOCAL + r"\FirewallRules", [("Block-All-5985", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5985|Name=Block WinRM|")]),
])
reg("gpo-shields-up.reg", profile_keys(GPO, DomainProfile={"DoNotAllowExceptions": 1}))
reg("gpo-default-inbound-allow.reg", profile_keys(GPO, DomainProfile={"DefaultInboundAction": 0}), utf16=False)
reg("local-default-inbound-block-gp-wins.reg", profile_keys(LOCAL, DomainProfile={"DefaultInboundAction": 1}))
reg("local-app-svc.reg", [
    (LOCAL + r"\FirewallRules", [
        ("SCVMM-Agent", 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|App=C:\\Program Files\\Microsoft System Center\\Virtual Machine Manager\\bin\\vmmAgent.exe|Name=VMM agent "BITS" (HTTPS-In)|'),
        ("WinRM-Svc", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|Svc=WinRM|Name=WinRM service|"),
    ]),
])
reg("local-ra-keywords.reg", [
    (LOCAL + r"\FirewallRules", [
        ("Internet-Only", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8443|RA42=IntErnet|RA62=IntErnet|Name=Internet only|"),
        ("LocalSubnet-Only", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5985|RA4=LocalSubnet|Name=LocalSubnet only|"),
        ("Mask-Only", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|RA4=172.16.0.0/255.255.0.0|RA6=fd00:aa::/64|Name=Mask only|"),
    ]),
])
reg("local-icmp.reg", [
    (LOCAL + r"\FirewallRules", [
        ("FPS-ICMP4-ERQ-In", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=8:*|Name=File and Printer Sharing (Echo Request - ICMPv4-In)|"),
        ("FPS-ICMP6-ERQ-In", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=58|ICMP6=128:*|Profile=Domain|Name=File and Printer Sharing (Echo Request - ICMPv6-In)|"),
    ]),
])
reg("local-hex-and-other-keys.reg", [
    (LOCAL, ['"PolicyVersion"=dword:0000021f']),
    (LOCAL + r"\RestrictedServices\Static\System", [
        ("WSH-Block-5985", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5985|Name=should be skipped|"),
    ]),
    (LOCAL + r"\FirewallRules", [
        '"Blob"=hex:01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,\\',
        '  18,19,1a,1b,1c,1d,1e,1f,20',
        '"Expand"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,\\',
        '  74,00,25,00,00,00',
        ("WINRM-HTTP-In-TCP", WINRM_STR),
    ]),
])
# Errors
reg("error-bad-action.reg", [
    (LOCAL + r"\FirewallRules", [
        ("Good", "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|Name=Good|"),
        ("Bad", "v2.30|Action=Allw|Active=TRUE|Dir=In|Protocol=6|LPort=81|Name=Bad|"),
    ]),
])
reg("error-no-version.reg", [(LOCAL + r"\FirewallRules", [("NoVersion", "Action=Allow|Dir=In|")])], utf16=False)
reg("error-bad-address.reg", [(LOCAL + r"\FirewallRules", [("BadRA", "v2.30|Action=Allow|Dir=In|Protocol=6|LPort=80|RA4=10.0.0.300|Name=x|")])], utf16=False)
with open("error-no-header.reg", "w", newline="") as f:
    f.write("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall]\r\n\"PolicyVersion\"=dword:0000021f\r\n")
