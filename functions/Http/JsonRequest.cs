using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Json;

namespace ReviewHub.Http;

/// <summary>Either a parsed and validated request body, or the problem response explaining why not.</summary>
public readonly record struct RequestBody<T>(T? Value, IActionResult? Problem)
{
    public bool IsValid => Problem is null;
}

public static class JsonRequest
{
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Reads a JSON body into <typeparamref name="T"/> and validates it; never throws for bad client input.</summary>
    public static async Task<RequestBody<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class, IValidatable
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return new(null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"At most {MaxBodyBytes} bytes."));
        }

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(request.Body, ReviewHubJson.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            return new(null, Problems.BadRequest($"The body is not valid JSON for this request{where}."));
        }

        if (value is null)
        {
            return new(null, Problems.BadRequest("A JSON body is required."));
        }

        var errors = new ValidationErrors();
        value.Validate(errors);
        return errors.IsEmpty ? new(value, null) : new(null, Problems.Validation(errors.ToDictionary()));
    }
}
