using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace ReviewHub.Http;

/// <summary>Collects field errors of a request body; empty means valid.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsEmpty => errors.Count == 0;

    public void Add(string field, string message)
    {
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
        if (!MailAddress.TryCreate(value, out var parsed) || parsed.Address != value.Trim() || !value.Contains('@'))
        {
            Add(field, "must be an email address.");
            return false;
        }
        return true;
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}

/// <summary>A request body that knows its own rules; <see cref="JsonRequest"/> runs them before any handler code.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}
