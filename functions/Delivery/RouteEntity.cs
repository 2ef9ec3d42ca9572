using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Delivery;

/// <summary>
/// Where an app's new reviews go. PartitionKey = appId, RowKey = routeId. Secrets (Slack token, Zendesk credential,
/// webhook signing secret) live in the secret store; the row keeps only <see cref="SecretReference"/>.
/// </summary>
internal sealed class RouteEntity : TableRow
{
    public string AccountId { get; set; } = string.Empty;
    public string Channel { get; set; } = nameof(DeliveryChannel.Slack);
    public string? Name { get; set; }

    /// <summary>Slack channel id, comma-separated email recipients, Zendesk subdomain, or webhook URL.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>Comma-separated star ratings that match (empty: all).</summary>
    public string Ratings { get; set; } = string.Empty;

    /// <summary>Comma-separated ISO alpha-3 territories that match (empty: all).</summary>
    public string Territories { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    /// <summary>Comma-separated reply events the route subscribes to (<see cref="ReplyEventKind"/>, lower case);
    /// empty: none (routes made before reply events existed get none).</summary>
    public string ReplyEvents { get; set; } = string.Empty;

    public string? SecretReference { get; set; }

    public string Status { get; set; } = nameof(RouteStatus.Active);
    public string? BrokenReason { get; set; }
    public DateTimeOffset? BrokenAt { get; set; }

    /// <summary>When the account owner was emailed about the break: set once per break, so they hear about it
    /// once.</summary>
    public DateTimeOffset? OwnerNotifiedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public string AppId => PartitionKey;

    [IgnoreDataMember]
    public string RouteId => RowKey;

    [IgnoreDataMember]
    public DeliveryChannel ChannelValue => Enum.Parse<DeliveryChannel>(Channel);

    [IgnoreDataMember]
    public bool IsBroken => Status == nameof(RouteStatus.Broken);

    [IgnoreDataMember]
    public IReadOnlyList<int> RatingList =>
        Ratings.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    [IgnoreDataMember]
    public IReadOnlyList<string> TerritoryList => Territories.Split(',', StringSplitOptions.RemoveEmptyEntries);

    [IgnoreDataMember]
    public IReadOnlyList<string> Recipients =>
        Target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [IgnoreDataMember]
    public IReadOnlyList<string> ReplyEventList => ReplyEvents.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool SubscribesTo(ReplyEventKind kind) =>
        ReplyEventList.Contains(ReplyEventTypes.Name(kind), StringComparer.Ordinal);

    /// <summary>True when the route wants this review (empty filters match everything).</summary>
    public bool Matches(int rating, string territory) =>
        (Ratings.Length == 0 || RatingList.Contains(rating))
            && (Territories.Length == 0 || TerritoryList.Contains(territory, StringComparer.Ordinal));
}
