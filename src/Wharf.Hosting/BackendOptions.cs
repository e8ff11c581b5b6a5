using System.ComponentModel.DataAnnotations;
using Wharf.Storage.S3;

namespace Wharf.Hosting;

/// <summary>Where blob bytes live.</summary>
public enum StorageDriverKind
{
    /// <summary>Files under <c>Data</c> (single node).</summary>
    FileSystem,

    /// <summary>An S3-compatible bucket (section <c>Storage:S3</c>).</summary>
    S3,
}

/// <summary>Where metadata lives.</summary>
public enum MetadataDriverKind
{
    /// <summary>An SQLite file under <c>Data</c> (single node).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (section <c>Metadata:PostgreSql</c>), shared by every instance.</summary>
    PostgreSql,
}

/// <summary>The <c>Storage</c> section.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public StorageDriverKind Driver { get; set; } = StorageDriverKind.FileSystem;

    /// <summary>Required when <see cref="Driver"/> is S3.</summary>
    public S3StorageOptions? S3 { get; set; }

    /// <summary>Settings of the file system driver.</summary>
    public FileSystemStorageOptions FileSystem { get; set; } = new();

    /// <summary>
    /// With the file system driver and SQLite: a blob pushed whole in one request, of at most this many bytes (configs,
    /// small layers, signatures), is kept in the database, durable with the commit that links it instead of with two
    /// file flushes of its own (docs/design/storage.md, "Small blobs"). 0 keeps every blob in a file.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public int InlineMaxBytes { get; set; } = 64 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Driver == StorageDriverKind.S3 ? NestedOptions.Required(S3, "Storage:S3") : [];
}

/// <summary>The <c>Storage:FileSystem</c> section.</summary>
public sealed class FileSystemStorageOptions
{
    /// <summary>
    /// Write large bodies (from 512 KiB) with <c>O_DIRECT</c>: to the disk without filling the page cache. Pushes cost
    /// less CPU and do not evict what pulls keep cached; the first pull of a layer then reads it from the disk.
    /// </summary>
    public bool DirectWrites { get; set; }
}

/// <summary>The <c>Metadata</c> section.</summary>
public sealed class MetadataOptions : IValidatableObject
{
    public MetadataDriverKind Driver { get; set; } = MetadataDriverKind.Sqlite;

    /// <summary>Required when <see cref="Driver"/> is PostgreSql.</summary>
    public PostgreSqlOptions? PostgreSql { get; set; }

    /// <summary>Apply pending migrations when <c>serve</c> starts (otherwise run <c>wharf migrate</c> first).</summary>
    public bool MigrateOnStart { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Driver == MetadataDriverKind.PostgreSql ? NestedOptions.Required(PostgreSql, "Metadata:PostgreSql") : [];
}

/// <summary>The <c>Metadata:PostgreSql</c> section.</summary>
public sealed class PostgreSqlOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=wharf;Username=wharf;Password=…</c>.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema holding Wharf's tables.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lowercase SQL identifier")]
    public string Schema { get; set; } = "public";
}
