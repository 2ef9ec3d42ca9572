using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ReviewHub.Json;

namespace ReviewHub.Http;

internal static class JsonRequest
{
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Reads a JSON body into <typeparamref name="T"/> and validates it; never throws for bad client
    /// input.</summary>
    public static async Task<Checked<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class, IValidatable =>
        // A required body that passed is never null (an empty one fails with "A JSON body is required").
        (await ReadAsync<T>(request, optional: false, cancellationToken))!;

    /// <summary>
    /// As <see cref="ReadAsync{T}(HttpRequest, CancellationToken)"/> for a body the endpoint may do without: a passed
    /// check with a null value when the request carries no bytes at all. Decided on the bytes read, never on
    /// Content-Length, which a chunked body does not have.
    /// </summary>
    public static Task<Checked<T?>> ReadOptionalAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class, IValidatable => ReadAsync<T>(request, optional: true, cancellationToken);

    private static async Task<Checked<T?>> ReadAsync<T>(
        HttpRequest request, bool optional, CancellationToken cancellationToken)
        where T : class, IValidatable
    {
        // Content-Length is absent for chunked bodies, so the limit is enforced on the bytes actually read.
        var body = request.ContentLength > MaxBodyBytes ? null : await ReadAtMostAsync(request.Body, MaxBodyBytes,
            cancellationToken);
        if (body is null)
        {
            return Checked.Failed<T?>(Problems.Create(StatusCodes.Status413PayloadTooLarge,
                "The request body is too large.", $"At most {MaxBodyBytes} bytes."));
        }
        if (optional && body.Length == 0)
        {
            return Checked.Passed<T?>(null);
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(body, ReviewHubJson.Options);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            return Checked.Failed<T?>(Problems.BadRequest($"The body is not valid JSON for this request{where}."));
        }

        if (value is null)
        {
            return Checked.Failed<T?>(Problems.BadRequest("A JSON body is required."));
        }

        var errors = new ValidationErrors();
        value.Validate(errors);
        return errors.IsEmpty ? Checked.Passed<T?>(value) : Checked.Failed<T?>(Problems.Validation(errors));
    }

    /// <summary>The whole stream, or null when it holds more than <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (body.Length + read > limit)
            {
                return null;
            }
            await body.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
        return body.ToArray();
    }
}
