using System.Text.Json;
using ReviewHub.Storage;

namespace ReviewHub.ReplyAutomation;

/// <summary>A reply template of an account. PartitionKey = accountId, RowKey = templateId.</summary>
internal sealed class ReplyTemplateEntity : TableRow
{
    public string Name { get; set; } = string.Empty;

    /// <summary>JSON array of tags.</summary>
    public string Tags { get; set; } = "[]";
    public string Body { get; set; } = string.Empty;
    public string CreatedBy { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public string UpdatedBy { get; set; } = string.Empty;
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> TagList() => JsonSerializer.Deserialize<List<string>>(Tags) ?? [];
}
