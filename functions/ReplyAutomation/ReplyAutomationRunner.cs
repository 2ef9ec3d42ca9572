using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Replies;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>What the rules did with one review.</summary>
internal enum RuleOutcome { NoRule, Answered, Posted, Drafted, CapReached, TooLong }

/// <summary>
/// Runs an app's rules on reviews: the first enabled rule (by position) whose conditions match renders its template
/// and either writes a draft or posts the reply through <see cref="ReplyWriter"/>. Only reviews without any reply are
/// touched, and the reply is written with <see cref="ReplyStore.CreateIfAbsentAsync"/>, a conditional insert, so an
/// automatic reply never replaces a person's or App Store Connect's. Idempotent: a duplicate message finds the draft
/// or reply it wrote and skips the review (its cap slot is given back).
/// </summary>
internal sealed class ReplyAutomationRunner(
    AppStore apps,
    ReplyStore replies,
    ReplyWriter writer,
    ReplyTemplateStore templates,
    ReplyAutomationStore automation,
    ReviewReader reviews,
    TimeProvider clock,
    IOptions<ReplyAutomationOptions> options,
    ILogger<ReplyAutomationRunner> logger)
{
    /// <summary>The requestedBy of a version a rule wrote.</summary>
    public static string RequestedBy(string ruleId) => $"rule:{ruleId}";

    public async Task<IReadOnlyDictionary<string, RuleOutcome>> RunAsync(
        ReplyAutomationWork work, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, RuleOutcome>(StringComparer.Ordinal);
        var app = await apps.GetAsync(work.AccountId, work.AppId, cancellationToken);
        if (app is null)
        {
            return outcomes;
        }
        var rules = (await automation.RulesAsync(work.AppId, cancellationToken)).Where(r => r.Enabled).ToList();
        if (rules.Count == 0)
        {
            return outcomes;
        }
        var cap = await automation.DailyCapAsync(work.AppId, cancellationToken);
        var day = automation.Today;
        var templateCache = new Dictionary<string, ReplyTemplateEntity?>(StringComparer.Ordinal);
        await foreach (var review in ReviewsAsync(work, cancellationToken))
        {
            var outcome = await ApplyAsync(app, review, rules, templateCache, cap, day, cancellationToken);
            outcomes[review.ReviewId] = outcome;
            if (outcome == RuleOutcome.CapReached)
            {
                logger.LogWarning("Reply rules of app {AppId} (account {AccountId}) reached the daily cap of {Cap}; "
                    + "the remaining reviews are left for people", app.AppId, app.AccountId, cap);
                break;
            }
        }
        return outcomes;
    }

    private async IAsyncEnumerable<ReviewEntity> ReviewsAsync(
        ReplyAutomationWork work,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (work.ReviewIds is { } ids)
        {
            foreach (var id in ids)
            {
                var review = await reviews.FindForAccountAsync(work.AccountId, work.AppId, id, cancellationToken);
                if (review is not null && !review.Backfilled)
                {
                    yield return review;
                }
            }
            yield break;
        }
        var since = clock.GetUtcNow().AddDays(-(work.SinceDays ?? 1));
        await foreach (var review in reviews.CreatedSinceAsync(work.AccountId, work.AppId, since,
            options.Value.MaxReviewsPerApply, cancellationToken))
        {
            yield return review;
        }
    }

    private async Task<RuleOutcome> ApplyAsync(
        AppEntity app, ReviewEntity review, IReadOnlyList<ReplyRuleEntity> rules,
        Dictionary<string, ReplyTemplateEntity?> templateCache, int cap, DateOnly day,
        CancellationToken cancellationToken)
    {
        if (review.ResponseId is not null
            || await replies.GetAsync(review.AppId, review.ReviewId, cancellationToken) is not null
            || await automation.DraftAsync(review.AppId, review.ReviewId, cancellationToken) is not null)
        {
            return RuleOutcome.Answered;
        }
        var rule = rules.FirstOrDefault(r => r.ConditionsValue().Matches(review, app));
        if (rule is null)
        {
            return RuleOutcome.NoRule;
        }
        if (!templateCache.TryGetValue(rule.TemplateId, out var template))
        {
            templateCache[rule.TemplateId] = template =
                await templates.GetAsync(app.AccountId, rule.TemplateId, cancellationToken);
        }
        if (template is null)
        {
            logger.LogWarning("Reply rule {RuleId} of app {AppId} names template {TemplateId}, which is gone",
                rule.RowKey, app.AppId, rule.TemplateId);
            return RuleOutcome.NoRule;
        }
        var body = ReplyPlaceholders.Render(template.Body, PlaceholderValues.For(review, app)).Trim();
        if (body.Length == 0 || body.Length > StoreLimits.MaxReplyLength(app))
        {
            logger.LogWarning("Reply rule {RuleId} rendered {Length} characters for review {ReviewId} (app {AppId}): "
                + "outside the store's limit, nothing written", rule.RowKey, body.Length, review.ReviewId, app.AppId);
            return RuleOutcome.TooLong;
        }
        if (!await automation.TryTakeSlotAsync(app.AccountId, app.AppId, day, cap, cancellationToken))
        {
            return RuleOutcome.CapReached;
        }
        var outcome = await WriteAsync(review, rule, template, body, cancellationToken);
        if (outcome == RuleOutcome.Answered)
        {
            await automation.ReleaseSlotAsync(app.AppId, day, cancellationToken);
        }
        return outcome;
    }

    private async Task<RuleOutcome> WriteAsync(
        ReviewEntity review, ReplyRuleEntity rule, ReplyTemplateEntity template, string body,
        CancellationToken cancellationToken)
    {
        string? note = null;
        if (rule.ModeValue == RuleMode.Post)
        {
            var refusal = await writer.PublishRefusalAsync(review, cancellationToken);
            if (refusal is null)
            {
                var result = await replies.CreateIfAbsentAsync(
                    review, body, RequestedBy(rule.RowKey), rule.RowKey, via: "rule", cancellationToken);
                if (result is null)
                {
                    return RuleOutcome.Answered;
                }
                await writer.HandOffAsync(result, cancellationToken);
                return RuleOutcome.Posted;
            }
            // It cannot be sent now: a person sees it as a draft rather than losing it.
            note = refusal.Detail;
        }
        var added = await automation.TryAddDraftAsync(new ReplyDraftEntity
        {
            PartitionKey = review.AppId,
            RowKey = review.ReviewId,
            AccountId = review.AccountId,
            Body = body,
            RuleId = rule.RowKey,
            TemplateId = template.RowKey,
            CreatedAt = clock.GetUtcNow(),
            Note = note,
        }, cancellationToken);
        return added ? RuleOutcome.Drafted : RuleOutcome.Answered;
    }
}
