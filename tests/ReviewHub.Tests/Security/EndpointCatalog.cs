using ReviewHub.Tests.Replies;
using Seeds = ReviewHub.Tests.ReplyAutomation.AutomationSeeds;

namespace ReviewHub.Tests.Security;

/// <summary>A request that a member of <see cref="TestWorld"/>'s account may make to one HTTP function, and what it
/// answers.</summary>
internal sealed record CatalogEndpoint(
    string Function,
    HttpMethod Method,
    Func<TestWorld, string> Path,
    Func<TestWorld, object?>? Body = null,
    int MemberStatus = 200,
    bool Public = false,
    bool OperatorOnly = false,
    Func<TestApp, TestWorld, Task>? Arrange = null)
{
    /// <summary>Arranges what the request needs, then sends it as the world's member (as an operator for operator
    /// endpoints).</summary>
    public async Task<TestResponse> SendAsMemberAsync(TestApp app, TestWorld world, object? bodyOverride = null)
    {
        if (Arrange is not null)
        {
            await Arrange(app, world);
        }
        var token = OperatorOnly ? TestTokens.For(world.UserId, isOperator: true) : world.Token;
        return await app.Host.SendAsync(Method, Path(world), token, bodyOverride ?? Body?.Invoke(world));
    }

    public override string ToString() => Function;
}

/// <summary>
/// Every HTTP function of the app with one valid request. The tenancy tests run each entry for 401, 404 and a member's
/// success; <see cref="TenancyTests.The_catalog_lists_every_http_function_the_build_declares"/> fails when a function
/// is missing here.
/// </summary>
internal static class EndpointCatalog
{
    public static readonly IReadOnlyList<CatalogEndpoint> All =
    [
        new("Health", HttpMethod.Get, _ => "/api/health", Public: true),
        new("GetOpenApiDocument", HttpMethod.Get, _ => "/api/openapi.yaml", Public: true),

        new("CreateAccount", HttpMethod.Post, _ => "/api/accounts", _ => new { name = "Other", ownerEmail =
            "o@customer.test" }, 201),
        new("ListAccounts", HttpMethod.Get, _ => "/api/accounts"),
        new("GetAccount", HttpMethod.Get, w => w.AccountPath),
        new("UpdateAccount", HttpMethod.Patch, w => w.AccountPath, _ => new { name = "Renamed" }),
        new("TransferAccountOwnership", HttpMethod.Post, w => $"{w.AccountPath}/owner", _ => new { userId = "heir" },
            Arrange: (app, w) => app.Host.PostAsync($"{w.AccountPath}/members", w.Token,
                new { userId = "heir", email = "heir@customer.test" })),
        new("ListEmailConfirmations", HttpMethod.Get, w => $"{w.AccountPath}/email-confirmations"),
        new("ResendEmailConfirmation", HttpMethod.Post, w => $"{w.AccountPath}/email-confirmations",
            w => new { email = w.OwnerEmail }, 202),
        new("ShowEmailConfirmation", HttpMethod.Get, CatalogLinks.Path, Public: true,
            Arrange: CatalogLinks.ArrangeAsync),
        new("ConfirmEmail", HttpMethod.Post, CatalogLinks.Path, Public: true, Arrange: CatalogLinks.ArrangeAsync),
        new("AddAccountMember", HttpMethod.Post, w => $"{w.AccountPath}/members", _ => new { userId = "new-member" }),
        new("RemoveAccountMember", HttpMethod.Delete, w => $"{w.AccountPath}/members/colleague", MemberStatus: 204,
            Arrange: (app, w) => app.Host.PostAsync($"{w.AccountPath}/members", w.Token, new { userId = "colleague" })),

        new("ChangeAccountMemberRole", HttpMethod.Put, w => $"{w.AccountPath}/members/colleague/role",
            _ => new { role = "approver" },
            Arrange: (app, w) => app.Host.PostAsync($"{w.AccountPath}/members", w.Token, new { userId = "colleague" })),
        new("ListReplyTemplates", HttpMethod.Get, Seeds.TemplatesPath),
        new("CreateReplyTemplate", HttpMethod.Post, Seeds.TemplatesPath,
            _ => new { name = "Thanks", tags = new[] { "praise" }, body = "Thanks {{nickname}}!" }, 201),
        new("GetReplyTemplate", HttpMethod.Get, w => Seeds.TemplatePath(w), Arrange: (app,
            w) => Seeds.TemplateAsync(app, w)),
        new("UpdateReplyTemplate", HttpMethod.Put, w => Seeds.TemplatePath(w),
            _ => new { name = "Thanks", body = "Thank you, {{ nickname }}." }, Arrange: (app,
                w) => Seeds.TemplateAsync(app, w)),
        new("DeleteReplyTemplate", HttpMethod.Delete, w => Seeds.TemplatePath(w), MemberStatus: 204,
            Arrange: (app, w) => Seeds.TemplateAsync(app, w)),
        new("PreviewReplyTemplate", HttpMethod.Post, w => Seeds.TemplatePath(w, "/preview"),
            w => new { appId = w.AppId, reviewId = ReplySeeds.ReviewId },
            Arrange: async (app, w) => { await Seeds.TemplateAsync(app, w); await ReplySeeds.ReviewAsync(app, w); }),
        new("ListReplyRules", HttpMethod.Get, Seeds.RulesPath),
        new("CreateReplyRule", HttpMethod.Post, Seeds.RulesPath,
            w => new { name = "Praise", conditions = new { ratings = new[] { 5 } }, templateId = Seeds.TemplateId(w),
                mode = "draft" },
            201, Arrange: (app, w) => Seeds.TemplateAsync(app, w)),
        new("UpdateReplyRule", HttpMethod.Put, Seeds.RulePath,
            w => new { name = "Praise", templateId = Seeds.TemplateId(w), mode = "post" },
            Arrange: (app, w) => Seeds.RuleAsync(app, w)),
        new("DeleteReplyRule", HttpMethod.Delete, Seeds.RulePath, MemberStatus: 204, Arrange: (app,
            w) => Seeds.RuleAsync(app, w)),
        new("ListReplyRuleChanges", HttpMethod.Get, w => $"{Seeds.RulesPath(w)}/changes"),
        new("ApplyReplyRules", HttpMethod.Post, w => $"{Seeds.RulesPath(w)}/apply", _ => new { days = 7 }, 202),
        new("GetReplyAutomation", HttpMethod.Get, w => $"{w.AppPath}/reply-automation"),
        new("UpdateReplyAutomation", HttpMethod.Put, w => $"{w.AppPath}/reply-automation", _ => new { dailyCap = 5 }),
        new("ListReplyDrafts", HttpMethod.Get, w => $"{w.AppPath}/reply-drafts"),
        new("ApproveReplyDraft", HttpMethod.Post, w => Seeds.DraftPath(w, "approve"),
            _ => new { body = "Thank you!" }, 202,
            Arrange: Seeds.DraftAsync),
        new("RejectReplyDraft", HttpMethod.Post, w => Seeds.DraftPath(w, "reject"), MemberStatus: 204,
            Arrange: Seeds.DraftAsync),

        // Slack's endpoint: a request without Slack's signature (as every catalog request is) answers 401; signed
        // requests are tested end to end in SlackReplyTests.
        new("ReceiveSlackInteraction", HttpMethod.Post, _ => "/api/slack/interactivity", MemberStatus: 401,
            Public: true),
        new("LinkSlackUser", HttpMethod.Post, _ => "/api/slack-links",
            w => new { token = new ReviewHub.Slack.SlackLinkTokens(TestTokens.SlackSigningSecret)
                .Create("T0001", $"U{w.AccountId[..8]}", DateTimeOffset.UtcNow.AddMinutes(10)) }),

        new("ListApps", HttpMethod.Get, w => $"{w.AccountPath}/apps"),
        new("RegisterApp", HttpMethod.Post, w => $"{w.AccountPath}/apps",
            _ => new { storeAppId = "987654321", platform = "macos", name = "Other", territories = new[] { "FRA" } },
                201),
        new("GetApp", HttpMethod.Get, w => w.AppPath),
        new("UpdateApp", HttpMethod.Patch, w => w.AppPath, _ => new { name = "Renamed" }),
        new("RemoveApp", HttpMethod.Delete, w => w.AppPath, MemberStatus: 204),

        new("GetConnectionCard", HttpMethod.Get, w => $"{w.AccountPath}/connection-card"),
        new("ListConnections", HttpMethod.Get, w => $"{w.AccountPath}/connections"),
        new("ConfirmConnection", HttpMethod.Post, w => $"{w.AccountPath}/connections",
            _ => new { team = Team, kind = "replyToReviews" }, 202),
        // No App Store Connect answers in this catalogue: the verification cannot run, nothing is written.
        new("ConnectWithTeamKey", HttpMethod.Post, w => $"{w.AccountPath}/connections/team-key",
            _ => new { team = Team, kind = "replyToReviews", issuerId = Guid.NewGuid(), keyId = "2X9R4HXF34",
                privateKey = P256Pem() }, 503),
        new("GetConnectionStatus", HttpMethod.Get, ConnectionPath, Arrange: ConfirmIntegrationAsync),
        new("ListConnectionApps", HttpMethod.Get, w => $"{ConnectionPath(w)}/apps", Arrange: ConfirmIntegrationAsync),
        new("RegisterConnectionApps", HttpMethod.Post, w => $"{ConnectionPath(w)}/apps",
            _ => new { territories = new[] { "USA" } }, Arrange: ConfirmIntegrationAsync),
        new("GetConnectionEvents", HttpMethod.Get, w => $"{ConnectionPath(w)}/events",
            Arrange: ConfirmIntegrationAsync),
        new("DisconnectConnection", HttpMethod.Delete, ConnectionPath, Arrange: ConfirmIntegrationAsync),
        new("ReportConnectionFixed", HttpMethod.Post, w => $"{ConnectionPath(w)}/fixed", MemberStatus: 409,
            Arrange: ConfirmIntegrationAsync),
        new("NotifyConnectionRolesUpdated", HttpMethod.Post, w => $"{ConnectionPath(w)}/roles-updated",
            MemberStatus: 202, Arrange: ConfirmIntegrationAsync),
        new("CancelConnection", HttpMethod.Post, w => $"{ConnectionPath(w)}/cancel", Arrange: ConfirmIntegrationAsync),
        new("RegisterConnectionCredential", HttpMethod.Post, w => $"{ConnectionPath(w)}/credential",
            _ => new { keyId = "2X9R4HXF34", privateKey = P256Pem() },
            OperatorOnly: true, Arrange: ConfirmIntegrationAsync),
        new("ReportNoInvitation", HttpMethod.Post, w => $"{ConnectionPath(w)}/no-invitation", OperatorOnly: true,
            Arrange: ConfirmIntegrationAsync),
        new("PutReply", HttpMethod.Put, w => ReplySeeds.ReplyPath(w), _ => new { body = "Thanks!" }, 202,
            Arrange: ReplySeeds.RepliableAsync),
        new("GetReply", HttpMethod.Get, w => ReplySeeds.ReplyPath(w), Arrange: ReplySeeds.RepliedAsync),
        new("GetReplyHistory", HttpMethod.Get, w => $"{ReplySeeds.ReplyPath(w)}/history",
            Arrange: ReplySeeds.RepliedAsync),
        // The reply is still queued, so the delete completes at once (200) without App Store Connect.
        new("DeleteReply", HttpMethod.Delete, w => ReplySeeds.ReplyPath(w), Arrange: ReplySeeds.RepliedAsync),
        new("ListRoutes", HttpMethod.Get, w => $"{w.AppPath}/routes"),
        new("CreateRoute", HttpMethod.Post, w => $"{w.AppPath}/routes", _ => new { channel = "email", target =
            "team@customer.test" }, 201),
        new("UpdateRoute", HttpMethod.Patch, w => Delivery.CatalogRoutes.Path(w), _ => new { enabled = false },
            Arrange: Delivery.CatalogRoutes.ArrangeAsync),
        new("DeleteRoute", HttpMethod.Delete, w => Delivery.CatalogRoutes.Path(w), MemberStatus: 204,
            Arrange: Delivery.CatalogRoutes.ArrangeAsync),
        new("SendRouteTestMessage", HttpMethod.Post, w => Delivery.CatalogRoutes.Path(w, "/test"),
            Arrange: Delivery.CatalogRoutes.ArrangeAsync),
        new("GetPlayConnection", HttpMethod.Get, PlayConnectionPath),
        // No Android app in the catalogue world: nothing to verify with, nothing written.
        new("ConfirmPlayInvitation", HttpMethod.Post, w => $"{PlayConnectionPath(w)}/invited", MemberStatus: 409),
        new("ReportPlayConnectionFixed", HttpMethod.Post, w => $"{PlayConnectionPath(w)}/fixed", MemberStatus: 409,
            Arrange: EnsurePlayConnectionAsync),
        new("DisconnectPlayConnection", HttpMethod.Delete, PlayConnectionPath, Arrange: EnsurePlayConnectionAsync),
        new("GetPlayConnectionEvents", HttpMethod.Get, w => $"{PlayConnectionPath(w)}/events"),
        new("ProvisionPlayServiceAccount", HttpMethod.Put,
            w => $"/api/operators/accounts/{w.AccountId}/google-play/service-account",
            _ => new { keyFile = PlayKeyFile() }, OperatorOnly: true),
        new("ListOperatorWork", HttpMethod.Get, _ => "/api/operators/connections/waiting", OperatorOnly: true),
        new("ReplayPoisonMessages", HttpMethod.Post, _ => "/api/operators/poison/deliveries/replay", w =>
            new { appId = w.AppId }, OperatorOnly: true),
        new("ListReviews", HttpMethod.Get, w => $"{w.AppPath}/reviews"),
        new("GetReview", HttpMethod.Get, w => $"{w.AppPath}/reviews/{Reviews.ReviewTestData.CatalogReviewId}",
            Arrange: (app, w) => Reviews.ReviewTestData.SeedAsync(app, w,
                [Reviews.ReviewTestData.Review(Reviews.ReviewTestData.CatalogReviewId)])),
        new("GetReviewFetchStatus", HttpMethod.Get, w => $"{w.AppPath}/review-fetch"),
    ];

    /// <summary>A confirmation link for the catalog world's owner email, as the sender would have mailed it.</summary>
    private static class CatalogLinks
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Tokens = new();

        public static Task ArrangeAsync(TestApp app, TestWorld world)
        {
            Tokens[world.AccountId] = app.Get<ReviewHub.Accounts.EmailConfirmationTokens>().Create(
                new ReviewHub.Accounts.EmailConfirmationClaim(
                    world.AccountId, world.OwnerEmail, DateTimeOffset.UtcNow.AddDays(1)));
            return Task.CompletedTask;
        }

        public static string Path(TestWorld world) =>
            $"/api/email-confirmations/{(Tokens.TryGetValue(world.AccountId, out var token) ? token : "not-a-token")}";
    }

    private const string Team = "Catalog Team";

    private static string ConnectionPath(TestWorld world) =>
        $"{world.AccountPath}/connections/{ReviewHub.Integrations.ConnectionIds.For(Team)}";

    private static string P256Pem() => System.Security.Cryptography.ECDsa.Create(
        System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    private static string PlayConnectionPath(TestWorld world) => $"{world.AccountPath}/google-play/connection";

    private static Task EnsurePlayConnectionAsync(TestApp app, TestWorld world) =>
        app.Get<ReviewHub.GooglePlay.PlayConnectionStore>().EnsureAsync(world.AccountId, CancellationToken.None);

    /// <summary>A service-account key file shaped as Google issues it (nothing calls Google with it here).</summary>
    private static string PlayKeyFile() => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["private_key_id"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        ["private_key"] = System.Security.Cryptography.RSA.Create(2048).ExportPkcs8PrivateKeyPem(),
        ["client_email"] = "catalog@reviewhub-play.iam.gserviceaccount.com",
        ["token_uri"] = "https://oauth2.googleapis.com/token",
    });

    private static Task ConfirmIntegrationAsync(TestApp app, TestWorld world) =>
        app.Host.PostAsync(
            $"{world.AccountPath}/connections", world.Token, new { team = Team, kind = "replyToReviews" });

    public static TheoryData<string> Names(Func<CatalogEndpoint, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var endpoint in All.Where(filter))
        {
            data.Add(endpoint.Function);
        }
        return data;
    }

    public static CatalogEndpoint Get(string function) => All.Single(e => e.Function == function);
}
