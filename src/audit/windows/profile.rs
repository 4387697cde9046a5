//! The three network profiles and each one's settings. A machine's
//! interfaces each sit on one profile (Windows 7 and later); the rules
//! and defaults of that profile decide for packets on it.

use std::fmt;
use std::str::FromStr;

/// A network profile, as `--profile` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    Domain,
    /// `StandardProfile` in the registry.
    Private,
    Public,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Domain, Profile::Private, Profile::Public];

    /// Its bit in `MSFT_NetFirewallRule.Profile` (0 there means all).
    pub fn bit(self) -> u8 {
        match self {
            Profile::Domain => 1,
            Profile::Private => 2,
            Profile::Public => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Domain => "Domain",
            Profile::Private => "Private",
            Profile::Public => "Public",
        }
    }

    /// The profile by any of its names: `--profile`'s, the cmdlets', the
    /// registry's (`Standard`), and `NetworkCategory`'s
    /// (`DomainAuthenticated`).
    pub fn from_word(word: &str) -> Option<Profile> {
        match word.trim().to_ascii_lowercase().as_str() {
            "domain" | "domainauthenticated" => Some(Profile::Domain),
            "private" | "standard" => Some(Profile::Private),
            "public" => Some(Profile::Public),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Profile::Domain => 0,
            Profile::Private => 1,
            Profile::Public => 2,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::from_word(s)
            .ok_or_else(|| format!("`{s}` is not a profile: give domain, private or public"))
    }
}

/// A set of profiles, as a rule's `Profile` holds it: no bit means all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ProfileSet(pub u8);

impl ProfileSet {
    pub fn contains(self, profile: Profile) -> bool {
        self.0 & 7 == 0 || self.0 & profile.bit() != 0
    }

    /// "Domain" or "Domain and Private", for a sentence.
    pub fn words(self) -> String {
        let names: Vec<&str> = Profile::ALL
            .iter()
            .filter(|p| self.0 & p.bit() != 0)
            .map(|p| p.name())
            .collect();
        match names.as_slice() {
            [] => "every".into(),
            [one] => (*one).into(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// One profile's settings as one layer sets them; `None` is "not
/// configured here", so a lower layer (or Windows' default) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ProfileSettings {
    /// `EnableFirewall` / `Enabled`.
    pub enabled: Option<bool>,
    /// Whether the default inbound action blocks.
    pub inbound_blocks: Option<bool>,
    /// Whether the default outbound action blocks.
    pub outbound_blocks: Option<bool>,
    /// `AllowLocalPolicyMerge` / `AllowLocalFirewallRules`: whether local
    /// rules count beside Group Policy's.
    pub local_rules_merge: Option<bool>,
    /// `AllowInboundRules` / the inverse of `DoNotAllowExceptions`: false
    /// blocks every inbound connection whatever the rules say ("block all
    /// incoming connections, including those in the list of allowed apps").
    pub inbound_rules_allowed: Option<bool>,
}

impl ProfileSettings {
    /// This layer over `lower`: what this one sets wins.
    pub fn over(self, lower: ProfileSettings) -> ProfileSettings {
        ProfileSettings {
            enabled: self.enabled.or(lower.enabled),
            inbound_blocks: self.inbound_blocks.or(lower.inbound_blocks),
            outbound_blocks: self.outbound_blocks.or(lower.outbound_blocks),
            local_rules_merge: self.local_rules_merge.or(lower.local_rules_merge),
            inbound_rules_allowed: self.inbound_rules_allowed.or(lower.inbound_rules_allowed),
        }
    }
}

/// Settings for all three profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ProfileTable(pub [ProfileSettings; 3]);

impl ProfileTable {
    pub fn get(&self, profile: Profile) -> ProfileSettings {
        self.0[profile.index()]
    }

    pub fn get_mut(&mut self, profile: Profile) -> &mut ProfileSettings {
        &mut self.0[profile.index()]
    }

    pub fn over(self, lower: ProfileTable) -> ProfileTable {
        let mut out = self;
        for p in Profile::ALL {
            *out.get_mut(p) = self.get(p).over(lower.get(p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_profile_is_known() {
        assert_eq!("DOMAIN".parse::<Profile>(), Ok(Profile::Domain));
        assert_eq!(Profile::from_word("Standard"), Some(Profile::Private));
        assert_eq!(
            Profile::from_word("DomainAuthenticated"),
            Some(Profile::Domain)
        );
        assert!("home".parse::<Profile>().is_err());
    }

    #[test]
    fn no_profile_bit_means_every_profile() {
        assert!(ProfileSet(0).contains(Profile::Public));
        assert!(!ProfileSet(1).contains(Profile::Public));
        assert_eq!(ProfileSet(3).words(), "Domain and Private");
    }
}
