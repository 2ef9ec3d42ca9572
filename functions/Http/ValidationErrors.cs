using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;
using ReviewHub.Storage;

namespace ReviewHub.Http;

/// <summary>
/// Collects field errors of a request body; empty means valid. Only the first <see cref="MaxReported"/> messages are
/// kept (a body with thousands of bad list entries must not turn into a response many times its size);
/// <see cref="Count"/> counts them all.
/// </summary>
internal sealed class ValidationErrors
{
    public const int MaxReported = 20;

    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsEmpty => Count == 0;

    /// <summary>Every error found, including those beyond <see cref="MaxReported"/>.</summary>
    public int Count { get; private set; }

    public int Omitted => Math.Max(0, Count - MaxReported);

    public void Add(string field, string message)
    {
        if (++Count > MaxReported)
        {
            return;
        }
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }

    public bool Required([NotNullWhen(true)] string? value, string field, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
            return false;
        }
        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
            return false;
        }
        return true;
    }

    public bool Email(string? value, string field)
    {
        if (!Required(value, field, 254))
        {
            return false;
        }
        if (!MailAddress.TryCreate(value, out var parsed) || parsed.Address != value.Trim() || !value.Contains('@',
            StringComparison.Ordinal))
        {
            Add(field, "must be an email address.");
            return false;
        }
        return true;
    }

    /// <summary>A required value that becomes a table key (a user id): <see cref="TableKeys.Rule"/>.</summary>
    public bool Key([NotNullWhen(true)] string? value, string field, int maxLength)
    {
        if (!Required(value, field, maxLength))
        {
            return false;
        }
        if (!TableKeys.IsValid(value))
        {
            Add(field, TableKeys.Rule);
            return false;
        }
        return true;
    }

    /// <summary>
    /// A required name shown in notifications and email subjects: one line, no control characters (line breaks, tabs,
    /// Unicode line and paragraph separators), so it cannot forge headers, lines or layout in any channel.
    /// </summary>
    public bool SingleLine([NotNullWhen(true)] string? value, string field, int maxLength)
    {
        if (!Required(value, field, maxLength))
        {
            return false;
        }
        if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            Add(field, "must be one line without control characters.");
            return false;
        }
        return true;
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
