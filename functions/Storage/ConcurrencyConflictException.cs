namespace ReviewHub.Storage;

/// <summary>A read-modify-write lost its race more often than the retry budget allows.</summary>
internal sealed class ConcurrencyConflictException(string message, Exception inner) : Exception(message, inner);
