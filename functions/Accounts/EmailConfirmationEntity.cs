using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>
/// Whether an address agreed to receive ReviewHub's email for one account. PartitionKey = accountId, RowKey =
/// <see cref="KeyFor"/> (a hash: an address may hold characters a table key cannot).
/// </summary>
internal sealed class EmailConfirmationEntity : TableRow
{
    public string Address { get; set; } = string.Empty;
    public string Status { get; set; } = nameof(EmailConfirmationStatus.Pending);
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? LastSentAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    [IgnoreDataMember]
    public bool IsConfirmed => Status == nameof(EmailConfirmationStatus.Confirmed);

    /// <summary>Addresses compare case-insensitively (as mail systems treat them in practice).</summary>
    public static string Normalise(string address) => address.Trim().ToLowerInvariant();

    public static string KeyFor(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(address))));
}
