using ReviewHub.Integrations;

namespace ReviewHub.Tests.Integrations;

public sealed class IntegrationRolesTests
{
    /// <summary>kind (by name: theory arguments must be public types, and the kinds are internal), granted roles
    /// (comma-separated), expected missing roles ("" = satisfied).</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        // Full access: Admin, or Customer Support + Marketing + Finance.
        { nameof(IntegrationKind.FullAccess), "ADMIN", "" },
        { nameof(IntegrationKind.FullAccess), "ACCOUNT_HOLDER", "" },
        { nameof(IntegrationKind.FullAccess), "CUSTOMER_SUPPORT,MARKETING,FINANCE", "" },
        {
            nameof(IntegrationKind.FullAccess), "CUSTOMER_SUPPORT,MARKETING,FINANCE,SALES,ACCESS_TO_REPORTS,DEVELOPER",
            ""
        },
        { nameof(IntegrationKind.FullAccess), "CUSTOMER_SUPPORT,MARKETING,SALES,ACCESS_TO_REPORTS", "FINANCE" },
        { nameof(IntegrationKind.FullAccess), "CUSTOMER_SUPPORT,FINANCE", "MARKETING" },
        { nameof(IntegrationKind.FullAccess), "APP_MANAGER", "CUSTOMER_SUPPORT,MARKETING,FINANCE" },
        // Reply to reviews: Admin, or Customer Support.
        { nameof(IntegrationKind.ReplyToReviews), "ADMIN", "" },
        { nameof(IntegrationKind.ReplyToReviews), "CUSTOMER_SUPPORT", "" },
        { nameof(IntegrationKind.ReplyToReviews), "MARKETING,FINANCE,SALES", "CUSTOMER_SUPPORT" },
        { nameof(IntegrationKind.ReplyToReviews), "", "CUSTOMER_SUPPORT" },
        // ASO report: Admin, or Marketing + Sales + Access to Reports (Finance brings the last two).
        { nameof(IntegrationKind.AsoReport), "ADMIN", "" },
        { nameof(IntegrationKind.AsoReport), "MARKETING,SALES,ACCESS_TO_REPORTS", "" },
        { nameof(IntegrationKind.AsoReport), "MARKETING,FINANCE", "" },
        { nameof(IntegrationKind.AsoReport), "MARKETING", "SALES,ACCESS_TO_REPORTS" },
        { nameof(IntegrationKind.AsoReport), "SALES,ACCESS_TO_REPORTS", "MARKETING" },
        { nameof(IntegrationKind.AsoReport), "MARKETING,SALES", "ACCESS_TO_REPORTS" },
        // Sales report: Admin, or Marketing + Finance.
        { nameof(IntegrationKind.SalesReport), "ACCOUNT_HOLDER", "" },
        { nameof(IntegrationKind.SalesReport), "MARKETING,FINANCE", "" },
        { nameof(IntegrationKind.SalesReport), "MARKETING,SALES,ACCESS_TO_REPORTS", "FINANCE" },
        { nameof(IntegrationKind.SalesReport), "MARKETING", "FINANCE" },
        { nameof(IntegrationKind.SalesReport), "FINANCE", "MARKETING" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_row_of_the_table_passes_with_its_roles_and_names_exactly_what_a_near_miss_lacks(
        string kind, string granted, string missing)
    {
        var evaluation = IntegrationRoles.Evaluate(
            Enum.Parse<IntegrationKind>(kind), granted.Split(',', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(missing.Length == 0, evaluation.Satisfied);
        Assert.Equal(missing.Split(',', StringSplitOptions.RemoveEmptyEntries), evaluation.Missing);
    }

    [Fact]
    public void Unknown_role_names_from_the_api_are_ignored_not_fatal()
    {
        var evaluation = IntegrationRoles.Evaluate(IntegrationKind.ReplyToReviews,
            ["IMAGE_MANAGER", "CUSTOMER_SUPPORT", "SOMETHING_NEW"]);
        Assert.True(evaluation.Satisfied);

        var lacking = IntegrationRoles.Evaluate(IntegrationKind.ReplyToReviews, ["IMAGE_MANAGER"]);
        Assert.Equal(["CUSTOMER_SUPPORT"], lacking.Missing);
    }

    [Fact]
    public void The_table_covers_every_kind_once_and_reads_like_the_setup_guide()
    {
        Assert.Equal(Enum.GetValues<IntegrationKind>(), IntegrationRoles.Table.Select(r => r.Kind));
        Assert.Equal("Admin, or Customer Support + Marketing + Finance",
            IntegrationRoles.Describe(IntegrationRoles.For(IntegrationKind.FullAccess)));
        Assert.Equal("Admin, or Marketing + Sales + Access to Reports",
            IntegrationRoles.Describe(IntegrationRoles.For(IntegrationKind.AsoReport)));
    }
}
