using System.Text.Json;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;

namespace ReviewHub.Tests.Simulation;

/// <summary>The team's reply to an Android review as they last left it (Play keeps one reply; no delete).</summary>
internal sealed class PlayReplyRecord(PlannedReview review)
{
    public PlannedReview Review { get; } = review;
    public string? LastBody { get; set; }
    public DateTimeOffset LastAt { get; set; }
    public int Versions { get; set; }
}

/// <summary>
/// The month's Android app (issue 15): registered by package name with its routes on day 0; the operators find the
/// account's Play connection in their work list and provision its service account (the operators' PUT); the customer
/// invites it in the fake Play Console (the grant propagates after hours) and says "I've invited"; the verification
/// orchestration polls on the simulated host until the connection is Active; then the app is polled hourly, its
/// reviews and edits are delivered through its routes, and the team replies and edits replies through the reply API.
/// </summary>
internal sealed partial class MonthScenario
{
    public AppState PlayApp { get; } = new(plan.AndroidApp);

    /// <summary>The App Store apps and the Android app: every app whose deliveries and stored reviews the books count.
    /// </summary>
    public IEnumerable<AppState> AllApps => Apps.Values.Append(PlayApp);

    /// <summary>The team's replies to Android reviews, by Play review id.</summary>
    public Dictionary<string, PlayReplyRecord> PlayReplies { get; } = [];

    public FakeGoogleServiceAccount? PlayServiceAccount { get; private set; }

    /// <summary>What the operators' work list showed for the account's Play connection before they acted.</summary>
    public string? PlayWorkListStatus { get; private set; }

    /// <summary>When the connection became Active (the status's <c>verifiedAt</c>: the verification's clock).</summary>
    public DateTimeOffset? PlayVerifiedAt { get; private set; }

    public string? PlaySetupProblem { get; private set; }

    private string PlayConnectionPath => $"/api/accounts/{AccountId}/google-play/connection";

    public async Task<JsonElement> PlayStatusAsync() =>
        (await CallAsync(HttpMethod.Get, PlayConnectionPath, null, 200)).Json;

    /// <summary>Registers the Android app (package name, no territories) and its routes; Play knows the app.</summary>
    private async Task SetUpGooglePlayAsync(int routeNumber)
    {
        fakes.Play.AddApp(plan.AndroidApp.StoreAppId);
        await RegisterAsync(PlayApp, routeNumber);
    }

    private void ScheduleGooglePlay()
    {
        var connection = plan.PlayConnection;
        At(plan.Start + connection.ProvisionAt + TimeSpan.FromMinutes(random.Next(45)), OperatorsProvisionPlayAsync);
        At(plan.Start + connection.InvitedAt + TimeSpan.FromMinutes(random.Next(45)), CustomerInvitesPlayAsync);
        At(plan.Start + connection.ActiveBy + TimeSpan.FromMinutes(45), WaitForPlayActivationAsync);
        foreach (var reply in plan.PlayReplies)
        {
            At(reply.At, () => ReplyOnPlayAsync(reply));
        }
    }

    /// <summary>The user writes the review in Google Play (title and text as Play joins them), or edits it.</summary>
    private void PublishOnPlay(PlannedReview review, bool edited)
    {
        var package = review.App.StoreAppId;
        if (edited)
        {
            fakes.Play.EditReview(package, review.AscId, $"{review.Title}\t{review.EditedBody}", review.Rating);
            return;
        }
        fakes.Play.SetReviews(package, [new FakePlayReview(review.AscId, review.Rating,
            $"{review.Title}\t{review.Body}", review.CreatedAt, review.Nickname)]);
    }

    /// <summary>
    /// The operators' work list shows the connection waiting on them since the app was registered; they create the
    /// account's service account in Google Cloud and store its key.
    /// </summary>
    private async Task OperatorsProvisionPlayAsync()
    {
        var work = (await CallAsync(HttpMethod.Get, "/api/operators/connections/waiting", null, 200, OperatorToken))
            .Json.GetProperty("items").EnumerateArray()
            .FirstOrDefault(i => i.GetProperty("accountId").GetString() == AccountId
                && i.GetProperty("store").GetString() == Stores.GooglePlay);
        PlayWorkListStatus = work.ValueKind == JsonValueKind.Object ? work.GetProperty("status").GetString() : null;
        PlayServiceAccount = fakes.Play.CreateServiceAccount();
        await CallAsync(HttpMethod.Put, $"/api/operators/accounts/{AccountId}/google-play/service-account",
            new { keyFile = PlayServiceAccount.KeyJson }, 200, OperatorToken);
    }

    /// <summary>The customer invites the card's email in Play Console (Google passes it on hours later) and says
    /// so.</summary>
    private async Task CustomerInvitesPlayAsync()
    {
        var email = (await PlayStatusAsync()).GetProperty("serviceAccountEmail").GetString();
        if (email is null || PlayServiceAccount?.ClientEmail != email)
        {
            PlaySetupProblem = $"the Play card showed {email ?? "no email"} to invite";
            return;
        }
        fakes.Play.Invite(email, plan.AndroidApp.StoreAppId, plan.PlayConnection.Propagation);
        await CallAsync(HttpMethod.Post, $"{PlayConnectionPath}/invited", null, 202);
    }

    /// <summary>
    /// The grant has propagated: the verification's next poll (real-time Durable timers, seconds apart here) makes the
    /// connection Active. The clock waits for it.
    /// </summary>
    private async Task WaitForPlayActivationAsync()
    {
        if (PlaySetupProblem is not null)
        {
            return;
        }
        var instanceId = PlayConnectionVerificationOrchestrator.InstanceIdFor(AccountId);
        try
        {
            var completed = await host.WaitAsync(
                host.Durable.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true),
                $"{SetupWait} verification of {plan.AndroidApp.Name}");
            var status = await PlayStatusAsync();
            if (status.GetProperty("status").GetString() != "active")
            {
                PlaySetupProblem = $"the Play verification ended {completed.RuntimeStatus} " +
                    $"({completed.SerializedOutput}) with status {status.GetProperty("status").GetString()}";
                return;
            }
            PlayVerifiedAt = status.GetProperty("verifiedAt").GetDateTimeOffset();
            PlayApp.ActivatedAt = host.Now;
        }
        catch (TimeoutException ex)
        {
            PlaySetupProblem = ex.Message;
        }
    }

    /// <summary>A member replies to (or edits the reply to) an Android review through the reply API.</summary>
    private async Task ReplyOnPlayAsync(PlannedPlayReply action)
    {
        var reviewId = action.Review.AscId;
        var path = $"/api/accounts/{AccountId}/apps/{PlayApp.AppId}/reviews/{Uri.EscapeDataString(reviewId)}";
        if ((await GetAsync(path)).Status != 200)
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} {plan.AndroidApp.Name}: review {reviewId} to reply to is not " +
                "listed");
            return;
        }
        var response = await host.Http.PutAsync($"{path}/reply", Token, new { body = action.Body });
        if (response.Status is not (200 or 202))
        {
            Anomalies.Add($"{host.Now:MM-dd HH:mm} {plan.AndroidApp.Name}: reply to {reviewId} answered {response}");
            return;
        }
        if (!PlayReplies.TryGetValue(reviewId, out var reply))
        {
            PlayReplies[reviewId] = reply = new PlayReplyRecord(action.Review);
        }
        reply.Versions++;
        reply.LastBody = action.Body;
        reply.LastAt = host.Now;
    }
}
