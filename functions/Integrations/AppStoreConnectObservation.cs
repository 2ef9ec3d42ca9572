namespace ReviewHub.Integrations;

/// <summary>What App Store Connect last answered about the integration user: why a setup fails.</summary>
internal enum AppStoreConnectObservation
{
    /// <summary>The team has neither a user nor an invitation for the integration email.</summary>
    NotInvited,
    InvitationPending,
    InvitationExpired,
    RolesMissing,
    /// <summary>App Store Connect refused the registered key (401/403): operators must register another one.</summary>
    KeyRefused,
    /// <summary>The Account Holder has not accepted Apple's latest agreements, so the API cannot be used.</summary>
    AgreementsMissing,
    /// <summary>
    /// ReviewHub's operators found no invitation for the integration email in its mailbox (their "no invitation
    /// found"): the customer must invite (again) and say so; until then the wait and the deadline are the customer's.
    /// </summary>
    NoInvitationReceived,
}
