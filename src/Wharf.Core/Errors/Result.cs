namespace Wharf.Core.Errors;

/// <summary>Either a value or a <see cref="RegistryError"/>.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, RegistryError? error)
    {
        _value = value;
        Error = error;
    }

    public RegistryError? Error { get; }

    public bool IsOk => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Result holds an error: {Error.Code}");

    public static Result<T> Ok(T value) => new(value, null);

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(RegistryError error) => new(default, error);

    public static implicit operator Result<T>(ErrorCode code) => new(default, new RegistryError(code));
}
