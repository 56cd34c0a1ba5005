//! Roles and the one permission table every route checks (docs/accounts.md
//! shows the same table).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Support,
    Manager,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Manager, Role::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Owners and Admins may only be made, unmade or removed by an Owner.
    pub fn is_privileged(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// View Assists, reply, add notes, change status and priority.
    Inbox,
    SetOwnAvailability,
    /// Team list, anyone's availability, reassigning work.
    ManageWorkload,
    /// Invite, remove, change roles of Managers and Support.
    ManageTeam,
    ManageBots,
    /// API tokens, telephony lines, importers.
    ManageIntegrations,
    ManageOwnersAndAdmins,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Inbox => "inbox",
            Permission::SetOwnAvailability => "set_own_availability",
            Permission::ManageWorkload => "manage_workload",
            Permission::ManageTeam => "manage_team",
            Permission::ManageBots => "manage_bots",
            Permission::ManageIntegrations => "manage_integrations",
            Permission::ManageOwnersAndAdmins => "manage_owners_and_admins",
        }
    }
}

/// (permission, [owner, admin, manager, support]).
pub const PERMISSIONS: &[(Permission, [bool; 4])] = &[
    (Permission::Inbox, [true, true, true, true]),
    (Permission::SetOwnAvailability, [true, true, true, true]),
    (Permission::ManageWorkload, [true, true, true, false]),
    (Permission::ManageTeam, [true, true, false, false]),
    (Permission::ManageBots, [true, true, false, false]),
    (Permission::ManageIntegrations, [true, true, false, false]),
    (
        Permission::ManageOwnersAndAdmins,
        [true, false, false, false],
    ),
];

pub fn allows(role: Role, permission: Permission) -> bool {
    let column = match role {
        Role::Owner => 0,
        Role::Admin => 1,
        Role::Manager => 2,
        Role::Support => 3,
    };
    PERMISSIONS
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, roles)| roles[column])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_seed_product() {
        use Permission::*;
        for p in [Inbox, SetOwnAvailability] {
            assert!(Role::ALL.iter().all(|r| allows(*r, p)));
        }
        assert!(allows(Role::Manager, ManageWorkload));
        assert!(!allows(Role::Support, ManageWorkload));
        for p in [ManageTeam, ManageBots, ManageIntegrations] {
            assert!(allows(Role::Owner, p) && allows(Role::Admin, p));
            assert!(!allows(Role::Manager, p) && !allows(Role::Support, p));
        }
        assert!(allows(Role::Owner, ManageOwnersAndAdmins));
        assert!(!allows(Role::Admin, ManageOwnersAndAdmins));
    }

    #[test]
    fn every_permission_is_in_the_table_once() {
        use Permission::*;
        for p in [
            Inbox,
            SetOwnAvailability,
            ManageWorkload,
            ManageTeam,
            ManageBots,
            ManageIntegrations,
            ManageOwnersAndAdmins,
        ] {
            assert_eq!(
                PERMISSIONS.iter().filter(|(q, _)| *q == p).count(),
                1,
                "{}",
                p.as_str()
            );
        }
    }

    #[test]
    fn roles_round_trip_and_order() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(
            Role::Owner > Role::Admin
                && Role::Admin > Role::Manager
                && Role::Manager > Role::Support
        );
    }
}
