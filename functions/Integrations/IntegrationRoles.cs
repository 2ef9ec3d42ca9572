namespace ReviewHub.Integrations;

/// <summary>App Store Connect role names as the API spells them (UserRole, spec 4.4.1) and as App Store Connect shows
/// them.</summary>
internal static class AppStoreConnectRoles
{
    public const string Admin = "ADMIN";
    public const string AccountHolder = "ACCOUNT_HOLDER";
    public const string Finance = "FINANCE";
    public const string Sales = "SALES";
    public const string Marketing = "MARKETING";
    public const string AccessToReports = "ACCESS_TO_REPORTS";
    public const string CustomerSupport = "CUSTOMER_SUPPORT";

    private static readonly Dictionary<string, string> DisplayNames = new(StringComparer.Ordinal)
    {
        [Admin] = "Admin",
        [AccountHolder] = "Account Holder",
        [Finance] = "Finance",
        [Sales] = "Sales",
        [Marketing] = "Marketing",
        [AccessToReports] = "Access to Reports",
        [CustomerSupport] = "Customer Support",
        ["APP_MANAGER"] = "App Manager",
        ["DEVELOPER"] = "Developer",
        ["CREATE_APPS"] = "Create Apps",
        ["CLOUD_MANAGED_DEVELOPER_ID"] = "Cloud Managed Developer ID",
        ["CLOUD_MANAGED_APP_DISTRIBUTION"] = "Cloud Managed App Distribution",
        ["GENERATE_INDIVIDUAL_KEYS"] = "Generate Individual API Keys",
    };

    /// <summary>The name App Store Connect shows; an unknown API value is shown as sent.</summary>
    public static string DisplayName(string role) => DisplayNames.GetValueOrDefault(role, role);
}

/// <summary>What a kind needs: Admin (or Account Holder) always suffices; otherwise every role of <see
/// cref="Roles"/>.</summary>
internal sealed record KindRequirement(IntegrationKind Kind, string Title, string Purpose, IReadOnlyList<string> Roles);

/// <summary>The result of checking a user's roles against a kind: satisfied, or exactly which roles to add.</summary>
internal sealed record RoleEvaluation(bool Satisfied, IReadOnlyList<string> Missing);

/// <summary>
/// The one role table: the integration card shows it and the verifier checks against it.
/// Implications follow Apple's role model: Account Holder carries Admin; Finance brings Sales and Access to Reports.
/// Roles beyond the required set are fine; role names this table does not know are ignored.
/// </summary>
internal static class IntegrationRoles
{
    public static readonly IReadOnlyList<KindRequirement> Table =
    [
        new(IntegrationKind.FullAccess, "Full access", "Reply to reviews, ASO and sales reports",
            [AppStoreConnectRoles.CustomerSupport, AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance]),
        new(IntegrationKind.ReplyToReviews, "Reply to reviews", "Read reviews, reply and edit responses",
            [AppStoreConnectRoles.CustomerSupport]),
        new(IntegrationKind.AsoReport, "ASO report", "Access to analytics",
            [AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Sales, AppStoreConnectRoles.AccessToReports]),
        new(IntegrationKind.SalesReport, "Sales report", "Access to sales data",
            [AppStoreConnectRoles.Marketing, AppStoreConnectRoles.Finance]),
    ];

    private static readonly Dictionary<string, string[]> Implied = new(StringComparer.Ordinal)
    {
        [AppStoreConnectRoles.AccountHolder] = [AppStoreConnectRoles.Admin],
        [AppStoreConnectRoles.Finance] = [AppStoreConnectRoles.Sales, AppStoreConnectRoles.AccessToReports],
    };

    public static KindRequirement For(IntegrationKind kind) => Table.Single(r => r.Kind == kind);

    public static RoleEvaluation Evaluate(IntegrationKind kind, IEnumerable<string> granted)
    {
        var effective = Expand(granted);
        if (effective.Contains(AppStoreConnectRoles.Admin))
        {
            return new RoleEvaluation(true, []);
        }
        var missing = For(kind).Roles.Where(role => !effective.Contains(role)).ToList();
        return new RoleEvaluation(missing.Count == 0, missing);
    }

    /// <summary>"Admin, or Customer Support + Marketing + Finance": the table row as App Store Connect users read
    /// it.</summary>
    public static string Describe(KindRequirement requirement) =>
        $"Admin, or {string.Join(" + ", requirement.Roles.Select(AppStoreConnectRoles.DisplayName))}";

    private static HashSet<string> Expand(IEnumerable<string> granted)
    {
        var effective = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in granted.Select(r => r.Trim().ToUpperInvariant()))
        {
            effective.Add(role);
            effective.UnionWith(Implied.GetValueOrDefault(role, []));
        }
        return effective;
    }
}
