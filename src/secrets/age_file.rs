//! The age file format, as the store and identity files use it.
//!
//! Files are read armored or binary, as `age -a` and `age` write them; fleetc writes them
//! armored so that a store diffs as text in git. Checking a file's shape needs no key: the
//! header is parsed and the payload's length is compared with what the format allows, which
//! finds garbage and most truncations without decrypting anything.

use std::io::{self, Read, Write};

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::{DecryptError, Decryptor, Encryptor, Identity, Recipient};
use zeroize::Zeroizing;

const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
const BINARY_BEGIN: &[u8] = b"age-encryption.org/";
/// A payload chunk: 64 KiB of plaintext and a 16-byte tag.
const CHUNK: usize = 64 * 1024 + TAG;
const TAG: usize = 16;

/// Why a file is not a well-formed age file.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("it is not an age file")]
    NotAge,
    #[error("its ASCII armor is damaged")]
    Armor,
    #[error("its header is damaged")]
    Header,
    #[error("it is truncated")]
    Truncated,
}

/// Why a file could not be decrypted.
#[derive(Debug, thiserror::Error)]
pub enum DecryptFailure {
    #[error("the file is not a well-formed age file: {0}")]
    Malformed(Malformed),
    #[error("the file is not encrypted to any key of the identity")]
    NoMatchingKey,
    #[error("the file is encrypted with a passphrase, not to recipients")]
    Passphrase,
    #[error("the file was modified or truncated after it was encrypted")]
    Tampered,
}

/// What [`inspect`] learns from a well-formed file.
#[derive(Debug, PartialEq, Eq)]
pub struct Shape {
    pub armored: bool,
    /// Encrypted with a passphrase (`age -p`) rather than to recipients.
    pub passphrase: bool,
}

/// Checks that `bytes` is a well-formed age file, without decrypting it.
pub fn inspect(bytes: &[u8]) -> Result<Shape, Malformed> {
    let armored = is_armored(bytes);
    if !armored && !bytes.starts_with(BINARY_BEGIN) {
        return Err(Malformed::NotAge);
    }
    let binary = dearmor(bytes)?;
    let mut rest = binary.as_slice();
    let decryptor = Decryptor::new(&mut rest).map_err(header_problem)?;
    let passphrase = decryptor.is_scrypt();
    drop(decryptor);
    if !payload_length_is_possible(rest.len()) {
        return Err(Malformed::Truncated);
    }
    Ok(Shape {
        armored,
        passphrase,
    })
}

/// Encrypts `plaintext` to `recipients`, armored.
pub fn encrypt(plaintext: &[u8], recipients: &[&dyn Recipient]) -> io::Result<Vec<u8>> {
    let encryptor = Encryptor::with_recipients(recipients.iter().copied())
        .map_err(|error| io::Error::other(error.to_string()))?;
    let armor = ArmoredWriter::wrap_output(Vec::new(), Format::AsciiArmor)?;
    let mut writer = encryptor.wrap_output(armor)?;
    writer.write_all(plaintext)?;
    writer.finish()?.finish()
}

/// Decrypts `bytes` with any of `identities`.
pub fn decrypt(
    bytes: &[u8],
    identities: &[&dyn Identity],
) -> Result<Zeroizing<Vec<u8>>, DecryptFailure> {
    let shape = inspect(bytes).map_err(DecryptFailure::Malformed)?;
    if shape.passphrase {
        return Err(DecryptFailure::Passphrase);
    }
    decrypt_unchecked(bytes, identities)
}

/// Decrypts a passphrase-protected file (`age -p`), such as an identity file.
pub fn decrypt_with_passphrase(
    bytes: &[u8],
    passphrase: age::secrecy::SecretString,
) -> Result<Zeroizing<Vec<u8>>, DecryptFailure> {
    let identity = age::scrypt::Identity::new(passphrase);
    decrypt_unchecked(bytes, &[&identity])
}

fn decrypt_unchecked(
    bytes: &[u8],
    identities: &[&dyn Identity],
) -> Result<Zeroizing<Vec<u8>>, DecryptFailure> {
    let binary = dearmor(bytes).map_err(DecryptFailure::Malformed)?;
    let decryptor = Decryptor::new(binary.as_slice())
        .map_err(|error| DecryptFailure::Malformed(header_problem(error)))?;
    let mut reader =
        decryptor
            .decrypt(identities.iter().copied())
            .map_err(|error| match error {
                DecryptError::NoMatchingKeys => DecryptFailure::NoMatchingKey,
                DecryptError::KeyDecryptionFailed | DecryptError::DecryptionFailed => {
                    DecryptFailure::NoMatchingKey
                }
                _ => DecryptFailure::Tampered,
            })?;
    let mut plaintext = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut plaintext)
        .map_err(|_| DecryptFailure::Tampered)?;
    Ok(plaintext)
}

/// Whether `bytes` starts like an armored age file (`age` allows leading whitespace).
pub fn is_armored(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(ARMOR_BEGIN)
}

fn dearmor(bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
    let mut binary = Vec::new();
    ArmoredReader::new(bytes)
        .read_to_end(&mut binary)
        .map_err(|_| Malformed::Armor)?;
    Ok(binary)
}

fn header_problem(error: DecryptError) -> Malformed {
    match error {
        DecryptError::UnknownFormat => Malformed::NotAge,
        DecryptError::Io(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
            Malformed::Truncated
        }
        _ => Malformed::Header,
    }
}

/// Whether `len` bytes after the nonce can be a payload: full chunks, then a last chunk of
/// at least its tag.
fn payload_length_is_possible(len: usize) -> bool {
    let last = len % CHUNK;
    len >= TAG && (last == 0 || last >= TAG)
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::x25519;

    fn encrypted(plaintext: &[u8]) -> (x25519::Identity, Vec<u8>) {
        let identity = x25519::Identity::generate();
        let recipient = identity.to_public();
        let bytes = encrypt(plaintext, &[&recipient]).expect("encrypts");
        (identity, bytes)
    }

    #[test]
    fn round_trips_armored() {
        let (identity, bytes) = encrypted(b"value");
        assert!(is_armored(&bytes));
        assert_eq!(
            inspect(&bytes),
            Ok(Shape {
                armored: true,
                passphrase: false
            })
        );
        let plaintext = decrypt(&bytes, &[&identity]).expect("decrypts");
        assert_eq!(plaintext.as_slice(), b"value");
    }

    #[test]
    fn tells_garbage_and_truncation_apart() {
        let (_, bytes) = encrypted(b"value");
        assert_eq!(inspect(b"hello"), Err(Malformed::NotAge));
        assert_eq!(inspect(&bytes[..40]), Err(Malformed::Armor));
        let binary = dearmor(&bytes).expect("dearmors");
        assert_eq!(
            inspect(&binary[..binary.len() - 10]),
            Err(Malformed::Truncated)
        );
        assert_eq!(inspect(&binary[..60]), Err(Malformed::Truncated));
    }

    #[test]
    fn refuses_a_stranger_and_a_changed_byte() {
        let (_, bytes) = encrypted(b"value");
        let stranger = x25519::Identity::generate();
        assert!(matches!(
            decrypt(&bytes, &[&stranger]),
            Err(DecryptFailure::NoMatchingKey)
        ));
        let (identity, bytes) = encrypted(b"value");
        let mut binary = dearmor(&bytes).expect("dearmors");
        let last = binary.len() - 1;
        binary[last] ^= 1;
        assert!(matches!(
            decrypt(&binary, &[&identity]),
            Err(DecryptFailure::Tampered)
        ));
    }

    #[test]
    fn payload_lengths() {
        assert!(!payload_length_is_possible(0));
        assert!(!payload_length_is_possible(15));
        assert!(payload_length_is_possible(16));
        assert!(payload_length_is_possible(CHUNK));
        assert!(!payload_length_is_possible(CHUNK + 3));
        assert!(payload_length_is_possible(CHUNK + 16));
    }
}
