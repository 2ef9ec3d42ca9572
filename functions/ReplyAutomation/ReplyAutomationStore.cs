using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using ReviewHub.Json;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>An app's rules, their audit, its settings and daily counters, and the drafts rules wrote.</summary>
internal sealed class ReplyAutomationStore(TableServiceClient tables, TimeProvider clock,
    IOptions<ReplyAutomationOptions> options)
{
    private readonly TableClient rules = tables.GetTableClient(ReplyAutomationTables.ReplyRules);
    private readonly TableClient automation = tables.GetTableClient(ReplyAutomationTables.ReplyAutomation);
    private readonly TableClient drafts = tables.GetTableClient(ReplyAutomationTables.ReplyDrafts);

    /// <summary>The app's rules in the order they are tried: position, then age.</summary>
    public async Task<IReadOnlyList<ReplyRuleEntity>> RulesAsync(string appId, CancellationToken cancellationToken)
    {
        var list = new List<ReplyRuleEntity>();
        await foreach (var rule in rules.QueryRowsAsync<ReplyRuleEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {appId}"), cancellationToken: cancellationToken))
        {
            list.Add(rule);
        }
        return list.OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToList();
    }

    /// <summary>Whether any rule of the account's apps uses the template.</summary>
    public async Task<bool> TemplateInUseAsync(string accountId, string templateId, CancellationToken cancellationToken)
    {
        await foreach (var _ in rules.QueryRowsAsync<ReplyRuleEntity>(
            TableClient.CreateQueryFilter($"AccountId eq {accountId} and TemplateId eq {templateId}"),
            select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            return true;
        }
        return false;
    }

    public async Task<ReplyRuleEntity> CreateRuleAsync(
        string accountId, string appId, ReplyRuleRequest request, string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var existing = await RulesAsync(appId, cancellationToken);
        var rule = new ReplyRuleEntity
        {
            PartitionKey = appId,
            RowKey = Ids.New(),
            AccountId = accountId,
            CreatedBy = userId,
            CreatedAt = now,
        };
        Apply(rule, request, userId, now, request.Position ?? (existing.Count == 0 ? 0 : existing[^1].Position + 1));
        await rules.AddEntityAsync(rule, cancellationToken);
        await RecordChangeAsync(rule, "created", userId, cancellationToken);
        return rule;
    }

    public async Task<ReplyRuleEntity?> ReplaceRuleAsync(
        string appId, string ruleId, ReplyRuleRequest request, string userId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(ruleId))
        {
            return null;
        }
        var rule = await rules.UpdateAsync<ReplyRuleEntity>(appId, ruleId, r =>
        {
            Apply(r, request, userId, clock.GetUtcNow(), request.Position ?? r.Position);
            return true;
        }, cancellationToken);
        if (rule is not null)
        {
            await RecordChangeAsync(rule, "updated", userId, cancellationToken);
        }
        return rule;
    }

    public async Task<bool> DeleteRuleAsync(string appId, string ruleId, string userId,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(ruleId))
        {
            return false;
        }
        var rule = await rules.FindAsync<ReplyRuleEntity>(appId, ruleId, cancellationToken);
        if (rule is null)
        {
            return false;
        }
        try
        {
            await rules.DeleteEntityAsync(appId, ruleId, rule.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            throw new ConcurrencyConflictException($"Rule {ruleId} changed while it was being deleted.", ex);
        }
        rule.UpdatedBy = userId;
        await RecordChangeAsync(rule, "deleted", userId, cancellationToken, deleted: true);
        return true;
    }

    private static void Apply(ReplyRuleEntity rule, ReplyRuleRequest request, string userId, DateTimeOffset now,
        int position)
    {
        rule.Name = request.Name!.Trim();
        rule.Position = position;
        rule.Enabled = request.Enabled ?? true;
        rule.Conditions = JsonSerializer.Serialize(request.Conditions ?? new RuleConditions(), ReviewHubJson.Options);
        rule.TemplateId = request.TemplateId!;
        rule.Mode = request.ModeValue.ToString();
        rule.UpdatedBy = userId;
        rule.UpdatedAt = now;
    }

    private Task RecordChangeAsync(
        ReplyRuleEntity rule, string action, string userId, CancellationToken cancellationToken, bool deleted = false)
    {
        var now = clock.GetUtcNow();
        return automation.AddEntityAsync(new ReplyAutomationEntity
        {
            PartitionKey = rule.PartitionKey,
            RowKey = $"{ReplyAutomationEntity.ChangePrefix}{DateTimeOffset.MaxValue.Ticks - now.Ticks:D19}|{Ids.New()}",
            AccountId = rule.AccountId,
            RuleId = rule.RowKey,
            Action = action,
            ChangedBy = userId,
            ChangedAt = now,
            Rule = deleted ? null : JsonSerializer.Serialize(ReplyRuleResponse.From(rule), ReviewHubJson.Options),
        }, cancellationToken);
    }

    /// <summary>The audit of the app's rule changes, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<ReplyRuleChangeResponse>> ChangesAsync(
        string appId, int limit, CancellationToken cancellationToken)
    {
        var list = new List<ReplyRuleChangeResponse>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {appId} and RowKey ge {ReplyAutomationEntity.ChangePrefix} and RowKey lt {"change}"}");
        await foreach (var row in automation.QueryRowsAsync<ReplyAutomationEntity>(filter, maxPerPage: limit,
            cancellationToken: cancellationToken))
        {
            list.Add(new ReplyRuleChangeResponse(row.RuleId!, row.Action!, row.ChangedBy!, row.ChangedAt!.Value,
                row.Rule is null ? null : JsonSerializer.Deserialize<ReplyRuleResponse>(row.Rule,
                    ReviewHubJson.Options)));
            if (list.Count >= limit)
            {
                break;
            }
        }
        return list;
    }

    public async Task<int> DailyCapAsync(string appId, CancellationToken cancellationToken)
    {
        var row = await automation.FindAsync<ReplyAutomationEntity>(appId, ReplyAutomationEntity.SettingsRow,
            cancellationToken);
        return row is not null && row.DailyCap is { } cap ? cap : options.Value.DefaultDailyCap;
    }

    public Task SetDailyCapAsync(string accountId, string appId, int cap, CancellationToken cancellationToken) =>
        automation.UpsertEntityAsync(new ReplyAutomationEntity
        {
            PartitionKey = appId,
            RowKey = ReplyAutomationEntity.SettingsRow,
            AccountId = accountId,
            DailyCap = cap,
        }, TableUpdateMode.Replace, cancellationToken);

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static string DayKey(DateOnly day) =>
        ReplyAutomationEntity.DayPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<int> UsedAsync(string appId, DateOnly day, CancellationToken cancellationToken)
    {
        var row = await automation.FindAsync<ReplyAutomationEntity>(appId, DayKey(day), cancellationToken);
        return row is not null ? row.Count : 0;
    }

    /// <summary>
    /// Takes one of the day's slots if fewer than <paramref name="cap"/> are taken (ETag read-modify-write or
    /// conditional insert, so racing workers never take more than the cap between them).
    /// </summary>
    public async Task<bool> TryTakeSlotAsync(
        string accountId, string appId, DateOnly day, int cap, CancellationToken cancellationToken)
    {
        if (cap <= 0)
        {
            return false;
        }
        while (true)
        {
            var taken = false;
            var row = await automation.UpdateAsync<ReplyAutomationEntity>(appId, DayKey(day), counter =>
            {
                taken = counter.Count < cap;
                counter.Count += taken ? 1 : 0;
                return taken;
            }, cancellationToken, attempts: 20);
            if (row is not null)
            {
                return taken;
            }
            if (await automation.TryAddAsync(new ReplyAutomationEntity
            {
                PartitionKey = appId, RowKey = DayKey(day), AccountId = accountId, Count = 1,
            }, cancellationToken))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Gives back a slot taken for a reply that was not written after all (the review got one meanwhile).
    /// </summary>
    public Task ReleaseSlotAsync(string appId, DateOnly day, CancellationToken cancellationToken) =>
        automation.UpdateAsync<ReplyAutomationEntity>(appId, DayKey(day), counter =>
        {
            counter.Count = Math.Max(0, counter.Count - 1);
            return true;
        }, cancellationToken, attempts: 20);

    public async Task<ReplyDraftEntity?> DraftAsync(string appId, string reviewId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(reviewId))
        {
            return null;
        }
        return await drafts.FindAsync<ReplyDraftEntity>(appId, reviewId, cancellationToken);
    }

    public async Task<IReadOnlyList<ReplyDraftEntity>> DraftsAsync(string appId, CancellationToken cancellationToken)
    {
        var list = new List<ReplyDraftEntity>();
        await foreach (var draft in drafts.QueryRowsAsync<ReplyDraftEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {appId}"), cancellationToken: cancellationToken))
        {
            list.Add(draft);
        }
        return list;
    }

    /// <summary>Writes the draft unless the review has one already (a duplicate message writes nothing).</summary>
    public Task<bool> TryAddDraftAsync(ReplyDraftEntity draft, CancellationToken cancellationToken) =>
        drafts.TryAddAsync(draft, cancellationToken);

    /// <summary>
    /// Removes the draft as it was read; false when it is gone or changed meanwhile (another approver).
    /// </summary>
    public async Task<bool> RemoveDraftAsync(ReplyDraftEntity draft, CancellationToken cancellationToken)
    {
        try
        {
            await drafts.DeleteEntityAsync(draft.PartitionKey, draft.RowKey, draft.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Deletes the app's rules, drafts, settings, counters and audit (idempotent).</summary>
    public async Task PurgeAppAsync(string appId, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { rules, automation, drafts })
        {
            await table.DeletePartitionAsync(appId, cancellationToken);
        }
    }
}
