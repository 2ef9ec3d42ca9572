using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Replies;
using ReviewHub.Security;
using ReviewHub.Storage;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// An app's reply rules (ordered, audited), its daily cap, applying the rules to recent reviews, and the drafts rules
/// wrote: listed for every member, approved (optionally edited) or rejected by approvers and the owner.
/// </summary>
internal sealed class ReplyRuleFunctions(
    AppStore apps, ReviewReader reviewReader, ReplyAutomationStore automation, ReplyTemplateStore templates,
    ReplyStore replies, ReplyWriter writer, IMessageQueue queue)
{
    private const string AppRoute = "accounts/{accountId}/apps/{appId}";
    private const string RulesRoute = AppRoute + "/reply-rules";
    private const string DraftsRoute = AppRoute + "/reply-drafts";

    /// <summary>Rules one app may hold.</summary>
    public const int MaxRulesPerApp = 50;

    public const string ReplyExistsType = "https://reviewhub.app/problems/reply-exists";

    [Function(nameof(ListReplyRules))]
    public async Task<IActionResult> ListReplyRules(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RulesRoute)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.Read, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var rules = await automation.RulesAsync(appId, cancellationToken);
        return new OkObjectResult(new { items = rules.Select(ReplyRuleResponse.From) });
    }

    [Function(nameof(CreateReplyRule))]
    public async Task<IActionResult> CreateReplyRule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RulesRoute)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        var access = await apps.AccessAsync(
            caller, accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out var app, out var denied))
        {
            return denied;
        }
        var read = await ReadRuleAsync(req, accountId, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if ((await automation.RulesAsync(appId, cancellationToken)).Count >= MaxRulesPerApp)
        {
            return AccountLimitsOptions.Exceeded("ReplyRulesPerApp", MaxRulesPerApp,
                $"An app has at most {MaxRulesPerApp} reply rules.");
        }
        var rule = await automation.CreateRuleAsync(accountId, appId, body, caller.UserId, cancellationToken);
        return new CreatedResult($"/api/accounts/{accountId}/apps/{appId}/reply-rules/{rule.RowKey}",
            ReplyRuleResponse.From(rule));
    }

    [Function(nameof(UpdateReplyRule))]
    public async Task<IActionResult> UpdateReplyRule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = RulesRoute + "/{ruleId}")] HttpRequest req,
        string accountId, string appId, string ruleId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        var access = await apps.AccessAsync(
            caller, accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        if ((await automation.RulesAsync(appId, cancellationToken)).All(r => r.RowKey != ruleId))
        {
            return Problems.NotFound("No such rule.");
        }
        var read = await ReadRuleAsync(req, accountId, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var rule = await automation.ReplaceRuleAsync(appId, ruleId, body, caller.UserId, cancellationToken);
        return rule is null ? Problems.NotFound("No such rule.") : new OkObjectResult(ReplyRuleResponse.From(rule));
    }

    [Function(nameof(DeleteReplyRule))]
    public async Task<IActionResult> DeleteReplyRule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RulesRoute + "/{ruleId}")] HttpRequest req,
        string accountId, string appId, string ruleId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        var access = await apps.AccessAsync(
            caller, accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        return await automation.DeleteRuleAsync(appId, ruleId, caller.UserId, cancellationToken)
            ? new NoContentResult()
            : Problems.NotFound("No such rule.");
    }

    /// <summary>The audit trail of the app's rule changes, newest first.</summary>
    [Function(nameof(ListReplyRuleChanges))]
    public async Task<IActionResult> ListReplyRuleChanges(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RulesRoute + "/changes")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.Read, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        return new OkObjectResult(new { items = await automation.ChangesAsync(appId, 200, cancellationToken) });
    }

    /// <summary>Runs the rules on the app's reviews of the last N days that have no reply (queued: 202).</summary>
    [Function(nameof(ApplyReplyRules))]
    public async Task<IActionResult> ApplyReplyRules(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RulesRoute + "/apply")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ApplyRulesRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        await queue.SendAsync(ReplyAutomationQueues.ReplyAutomation,
            new ReplyAutomationWork(accountId, appId, null, body.Days), cancellationToken: cancellationToken);
        return new AcceptedResult((string?)null, new { days = body.Days });
    }

    [Function(nameof(GetReplyAutomation))]
    public async Task<IActionResult> GetReplyAutomation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AppRoute + "/reply-automation")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.Read, cancellationToken);
        return access.TryGet(out _, out var denied)
            ? new OkObjectResult(await SettingsAsync(appId, cancellationToken))
            : denied;
    }

    [Function(nameof(UpdateReplyAutomation))]
    public async Task<IActionResult> UpdateReplyAutomation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = AppRoute + "/reply-automation")] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ReplyAutomationRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        await automation.SetDailyCapAsync(accountId, appId, body.DailyCap!.Value, cancellationToken);
        return new OkObjectResult(await SettingsAsync(appId, cancellationToken));
    }

    /// <summary>Drafts waiting for approval, oldest first; drafts of reviews answered meanwhile are left out.</summary>
    [Function(nameof(ListReplyDrafts))]
    public async Task<IActionResult> ListReplyDrafts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DraftsRoute)] HttpRequest req,
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.Read, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var open = new List<ReplyDraftResponse>();
        foreach (var draft in (await automation.DraftsAsync(appId, cancellationToken)).OrderBy(d => d.CreatedAt))
        {
            if (await replies.GetAsync(appId, draft.RowKey, cancellationToken) is null)
            {
                open.Add(ReplyDraftResponse.From(draft));
            }
        }
        return new OkObjectResult(new { items = open });
    }

    /// <summary>
    /// Sends the draft (or the approver's edit of it) through the reply flow, as the approver's reply. 409 when the
    /// review was answered meanwhile: the draft never overwrites a reply.
    /// </summary>
    [Function(nameof(ApproveReplyDraft))]
    public async Task<IActionResult> ApproveReplyDraft(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = DraftsRoute + "/{reviewId}/approve")]
        HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        var access = await apps.AccessAsync(
            caller, accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out var app, out var denied))
        {
            return denied;
        }
        var draft = await automation.DraftAsync(appId, reviewId, cancellationToken);
        var review = draft is null ? null : await reviewReader.FindForAccountAsync(accountId, appId, reviewId,
            cancellationToken);
        if (review is null)
        {
            return Problems.NotFound("No such draft.");
        }
        var read = await JsonRequest.ReadOptionalAsync<ApproveDraftRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        return await SendDraftAsync(caller, app, review, draft!, body?.Body?.Trim() ?? draft!.Body,
            cancellationToken);
    }

    /// <summary>The approved text goes out like a member's reply: checked against the store, never over a reply.
    /// </summary>
    private async Task<IActionResult> SendDraftAsync(Caller caller, AppEntity app, ReviewEntity review,
        ReplyDraftEntity draft, string text, CancellationToken cancellationToken)
    {
        if (text.Length > StoreLimits.MaxReplyLength(app))
        {
            var errors = new ValidationErrors();
            errors.Add("body", $"must be at most {StoreLimits.MaxReplyLength(app)} characters for this store.");
            return Problems.Validation(errors);
        }
        if (await writer.PublishRefusalAsync(review, cancellationToken) is { } refusal)
        {
            return Problems.Conflict(refusal.Detail, refusal.Type);
        }
        var result = await replies.CreateIfAbsentAsync(review, text, caller.UserId, ruleId: null, via: "draft",
            cancellationToken);
        if (result is null)
        {
            return Problems.Conflict(
                "The review was answered meanwhile (through ReviewHub or in App Store Connect); a draft never "
                + "overwrites a reply. Reject the draft.", ReplyExistsType);
        }
        await automation.RemoveDraftAsync(draft, cancellationToken);
        await writer.HandOffAsync(result, cancellationToken);
        return ReplyFunctions.Answer($"/api/accounts/{app.AccountId}/apps/{app.AppId}/reviews/"
            + $"{Uri.EscapeDataString(review.ReviewId)}/reply", result.Reply);
    }

    [Function(nameof(RejectReplyDraft))]
    public async Task<IActionResult> RejectReplyDraft(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = DraftsRoute + "/{reviewId}/reject")]
        HttpRequest req,
        string accountId, string appId, string reviewId, CancellationToken cancellationToken)
    {
        var access = await apps.AccessAsync(
            Caller.From(req), accountId, appId, AccountPermission.ApproveReplies, cancellationToken);
        if (!access.TryGet(out _, out var denied))
        {
            return denied;
        }
        var draft = await automation.DraftAsync(appId, reviewId, cancellationToken);
        return draft is not null && await automation.RemoveDraftAsync(draft, cancellationToken)
            ? new NoContentResult()
            : Problems.NotFound("No such draft.");
    }

    private async Task<ReplyAutomationResponse> SettingsAsync(string appId, CancellationToken cancellationToken)
    {
        var day = automation.Today;
        return new ReplyAutomationResponse(await automation.DailyCapAsync(appId, cancellationToken),
            await automation.UsedAsync(appId, day, cancellationToken), day);
    }

    /// <summary>The rule body, valid, with a template of this account.</summary>
    private async Task<Checked<ReplyRuleRequest>> ReadRuleAsync(
        HttpRequest req, string accountId, CancellationToken cancellationToken)
    {
        var read = await JsonRequest.ReadAsync<ReplyRuleRequest>(req, cancellationToken);
        if (read.TryGet(out var body, out _)
            && await templates.GetAsync(accountId, body.TemplateId!, cancellationToken) is null)
        {
            var errors = new ValidationErrors();
            errors.Add("templateId", "is not a template of this account.");
            return Checked.Failed<ReplyRuleRequest>(Problems.Validation(errors));
        }
        return read;
    }
}
