//! PKCS#12 (`.pfx`, `.p12`): the file an admin imports on the Exchange server.
//!
//! Written over the `pkcs12` crate's ASN.1 types rather than a keystore library
//! because what a federation check needs is below such libraries' APIs: the
//! *absent* (NULL) password, which differs on the wire from the empty one and is what
//! Windows writes for an export without a password; the Microsoft CSP name attribute
//! of the key bag; zeroizing every decrypted byte; and telling a wrong password
//! (the MAC fails) from a damaged file (the structure fails).
//!
//! Only the public half of a private key leaves this module: it is parsed out of the
//! decrypted PKCS#8 and the plaintext is wiped.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyInit, KeyIvInit};
use der::asn1::OctetString;
use der::{Decode, Encode, Tagged};
use hmac::{Mac, SimpleHmac};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use sha1::Sha1;
use sha2::digest::core_api::BlockSizeUser;
use sha2::digest::{Digest, FixedOutputReset};
use sha2::{Sha224, Sha256, Sha384, Sha512};
use x509_parser::asn1_rs::{Class, Tag};
use zeroize::{Zeroize, Zeroizing};

use crate::load::ber::{element, normalize_ber};
mod oid;
mod protection;

pub use protection::{Protection, Scheme};

use crate::load::work::{self, charge};
use crate::load::{Bag, Password, Problem, PublicHalf};
use oid::{
    OID_DATA, OID_EC, OID_ENCRYPTED_DATA, OID_ENVELOPED_DATA, OID_FRIENDLY_NAME, OID_LOCAL_KEY_ID,
    OID_MS_CSP_NAME, OID_PBES2, OID_RSA, OID_SHA1, OID_SHA224, OID_SHA256, OID_SHA384, OID_SHA512,
    OID_SIGNED_DATA,
};
use protection::mac_scheme;

/// Key derivation iterations above this are refused instead of run: Windows and
/// OpenSSL use about 2,000, password managers up to 600,000, and an attacker's file
/// with 2^31 iterations would otherwise burn minutes of CPU per password tried.
#[cfg(not(fuzzing))]
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Fuzzing needs fast executions; the logic is the same at any limit.
#[cfg(fuzzing)]
pub const MAX_ITERATIONS: u32 = 5_000;

/// Nesting of SafeContents bags inside each other; real files use none.
const MAX_NESTING: usize = 4;

/// A private key found in the file, reduced to what the checks need.
pub(super) struct FoundKey {
    pub bag: Bag,
    pub provider: Option<String>,
    pub public: PublicHalf,
}

/// What a PKCS#12 file holds, once opened.
pub(super) struct Contents {
    pub certificates: Vec<(Vec<u8>, Bag)>,
    pub keys: Vec<FoundKey>,
    pub protection: Protection,
}

/// One password to try. The PKCS#12 key derivation sees the empty password as two
/// zero bytes (the BMPString terminator) and the absent one as no bytes at all.
#[derive(Clone, Copy)]
enum Attempt<'a> {
    Text(&'a str),
    Absent,
}

impl<'a> Attempt<'a> {
    /// Big-endian UTF-16 with a terminating NUL, as RFC 7292 appendix B.1 says.
    fn pkcs12_bytes(self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        if let Self::Text(text) = self {
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
            out.extend_from_slice(&[0, 0]);
        }
        out
    }

    /// PBES2 takes the password's UTF-8 bytes; empty and absent are the same there.
    fn utf8_bytes(self) -> &'a [u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Absent => &[],
        }
    }
}

/// Opens a PFX with `password`, or with the empty and then the absent password when
/// none is given. `der` is one complete top-level element.
pub(super) fn open(der: &[u8], password: Option<&Password>) -> Result<Contents, Problem> {
    work::start();
    let normalized;
    let pfx = match pkcs12::pfx::Pfx::from_der(der) {
        Ok(pfx) => pfx,
        Err(_) => {
            normalized = normalize_ber(der)?;
            pkcs12::pfx::Pfx::from_der(&normalized).map_err(damaged)?
        }
    };
    if pfx.version != pkcs12::pfx::Version::V3 {
        return Err(Problem::BadPkcs12("not version 3".into()));
    }
    match pfx.auth_safe.content_type {
        OID_DATA => {}
        OID_SIGNED_DATA => {
            return Err(Problem::Pkcs12Unsupported(
                "public-key integrity mode (a signed PFX)".into(),
            ));
        }
        other => {
            return Err(Problem::BadPkcs12(format!(
                "the content is of type {other}, not data"
            )));
        }
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(damaged)?;
    let auth_safe = auth_safe.as_bytes();

    let given = password.map(|p| p.0.as_str());
    let candidates: Vec<Attempt<'_>> = match given {
        Some("") | None => vec![Attempt::Text(""), Attempt::Absent],
        Some(text) => vec![Attempt::Text(text)],
    };

    declared_work(auth_safe, pfx.mac_data.as_ref(), candidates.len())?;
    let attempt = match &pfx.mac_data {
        Some(mac) => {
            let mut matched = None;
            for &candidate in &candidates {
                if verify_mac(mac, candidate, auth_safe)? {
                    matched = Some(candidate);
                    break;
                }
            }
            match (matched, given) {
                (Some(a), _) => a,
                (None, Some(_)) => return Err(Problem::WrongPassword),
                (None, None) => return Err(Problem::PasswordNeeded),
            }
        }
        // No MAC (openssl -nomac): the first password that decrypts everything wins.
        None => {
            let mut last = Problem::PasswordNeeded;
            for &candidate in &candidates {
                match read_safes(auth_safe, candidate) {
                    Ok(contents) => return Ok(contents),
                    Err(Problem::WrongPassword) => {
                        last = match given {
                            Some(_) => Problem::WrongPassword,
                            None => Problem::PasswordNeeded,
                        }
                    }
                    Err(other) => return Err(other),
                }
            }
            return Err(last);
        }
    };
    // The MAC proved the password; a decryption failure now means damage (or a
    // file made with different MAC and encryption passwords, `openssl -twopass`).
    let mac = pfx.mac_data.as_ref().map(mac_scheme);
    read_safes(auth_safe, attempt)
        .map(|mut contents| {
            contents.protection.mac = mac;
            contents
        })
        .map_err(|p| match p {
            Problem::WrongPassword => Problem::BadPkcs12(
                "the integrity check passed but the contents do not decrypt with the same password"
                    .into(),
            ),
            other => other,
        })
}

/// Refuses, before any key derivation, a file whose declared work is over the
/// budget: the integrity check for every password to try, and every encryption that
/// can be seen without a password (the encrypted safes, the shrouded keys of plain
/// safes). Without an integrity check each password decrypts everything. What only
/// decryption reveals (keys inside an encrypted safe) is charged as it is met.
fn declared_work(
    auth_safe: &[u8],
    mac: Option<&pkcs12::mac_data::MacData>,
    tries: usize,
) -> Result<(), Problem> {
    let tries = tries as u64;
    let mac_work = mac.map_or(0, |m| u64::try_from(m.iterations).unwrap_or(u64::MAX));
    let mut parts = 0u64;
    let mut encryption = 0u64;
    // A structure that does not decode is reported by the reading that follows.
    let safes: Vec<cms::content_info::ContentInfo> = decode_lenient(auth_safe).unwrap_or_default();
    for safe in &safes {
        let Ok(content) = safe.content.to_der() else {
            continue;
        };
        match safe.content_type {
            OID_DATA => {
                if let Ok(data) = OctetString::from_der(&content) {
                    declared_in_bags(data.as_bytes(), 0, &mut parts, &mut encryption);
                }
            }
            OID_ENCRYPTED_DATA => {
                if let Ok(e) = decode_lenient::<cms::encrypted_data::EncryptedData>(&content) {
                    parts += 1;
                    encryption =
                        encryption.saturating_add(cost(&e.enc_content_info.content_enc_alg));
                }
            }
            _ => {}
        }
    }
    let total = if mac.is_some() {
        mac_work.saturating_mul(tries).saturating_add(encryption)
    } else {
        encryption.saturating_mul(tries)
    };
    work::declare(total, || {
        let check = if mac.is_some() {
            "its integrity check and "
        } else {
            ""
        };
        format!("{check}its {parts} encrypted parts, for {tries} password(s) to try,")
    })
}

/// Adds the shrouded keys of plain SafeContents (nested ones too) to the declared work.
fn declared_in_bags(der: &[u8], depth: usize, parts: &mut u64, work: &mut u64) {
    let Ok(bags) = decode_lenient::<Vec<pkcs12::safe_bag::SafeBag>>(der) else {
        return;
    };
    for bag in &bags {
        let Ok((wrapper, _, _)) = element(&bag.bag_value) else {
            continue;
        };
        match bag.bag_id {
            pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                if let Ok(s) = pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(wrapper.data) {
                    *parts += 1;
                    *work = work.saturating_add(cost(&s.encryption_algorithm));
                }
            }
            pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID if depth < MAX_NESTING => {
                declared_in_bags(wrapper.data, depth + 1, parts, work);
            }
            _ => {}
        }
    }
}

/// The iterations an encryption scheme declares, in the budget's units (scrypt: N
/// blocks of r, p times); 0 for a scheme that is refused or unsupported later anyway.
fn cost(algorithm: &cms::cert::x509::spki::AlgorithmIdentifierOwned) -> u64 {
    let Some(Ok(params)) = algorithm.parameters.as_ref().map(Encode::to_der) else {
        return 0;
    };
    if algorithm.oid == OID_PBES2 {
        return match pkcs5::pbes2::Parameters::from_der(&params).map(|p| p.kdf) {
            Ok(pkcs5::pbes2::Kdf::Pbkdf2(p)) => u64::from(p.iteration_count),
            Ok(pkcs5::pbes2::Kdf::Scrypt(s)) => scrypt_cost(&s),
            _ => 0,
        };
    }
    pkcs12::pbe_params::Pkcs12PbeParams::from_der(&params)
        .map_or(0, |p| u64::try_from(p.iterations).unwrap_or(0))
}

/// Scrypt's work in rounds of the budget: N blocks of r, p times.
fn scrypt_cost(s: &pkcs5::pbes2::ScryptParams<'_>) -> u64 {
    s.cost_parameter
        .saturating_mul(u64::from(s.block_size))
        .saturating_mul(u64::from(s.parallelization))
}

fn damaged(e: der::Error) -> Problem {
    Problem::BadPkcs12(format!("damaged structure ({e})"))
}

/// Decodes `T` from DER, or from BER after normalising it to DER.
fn decode_lenient<T: for<'a> Decode<'a>>(bytes: &[u8]) -> Result<T, Problem> {
    match T::from_der(bytes) {
        Ok(v) => Ok(v),
        Err(first) => {
            let normalized = Zeroizing::new(normalize_ber(bytes).map_err(|_| damaged(first))?);
            T::from_der(&normalized).map_err(damaged)
        }
    }
}

fn check_iterations(n: i64, what: &str) -> Result<u32, Problem> {
    let n = match u32::try_from(n) {
        Ok(n) if (1..=MAX_ITERATIONS).contains(&n) => n,
        _ => {
            return Err(Problem::BadPkcs12(format!(
                "the {what} asks for {n} key-derivation iterations (the limit is {MAX_ITERATIONS}); refused"
            )));
        }
    };
    charge(u64::from(n))?;
    Ok(n)
}

fn verify_mac(
    mac: &pkcs12::mac_data::MacData,
    attempt: Attempt<'_>,
    data: &[u8],
) -> Result<bool, Problem> {
    let rounds = check_iterations(i64::from(mac.iterations), "integrity check (MAC)")?;
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let pass = attempt.pkcs12_bytes();
    Ok(match mac.mac.algorithm.oid {
        OID_SHA1 => hmac_matches::<Sha1>(&pass, salt, rounds, data, expected),
        OID_SHA224 => hmac_matches::<Sha224>(&pass, salt, rounds, data, expected),
        OID_SHA256 => hmac_matches::<Sha256>(&pass, salt, rounds, data, expected),
        OID_SHA384 => hmac_matches::<Sha384>(&pass, salt, rounds, data, expected),
        OID_SHA512 => hmac_matches::<Sha512>(&pass, salt, rounds, data, expected),
        other => {
            return Err(Problem::Pkcs12Unsupported(format!(
                "integrity check (MAC) algorithm {other}"
            )));
        }
    })
}

fn hmac_matches<D>(pass: &[u8], salt: &[u8], rounds: u32, data: &[u8], expected: &[u8]) -> bool
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let key = Zeroizing::new(derive_key::<D>(
        pass,
        salt,
        Pkcs12KeyType::Mac,
        rounds as i32,
        <D as Digest>::output_size(),
    ));
    let Ok(mut mac) = <SimpleHmac<D> as KeyInit>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

/// Walks the AuthenticatedSafe: a sequence of ContentInfo, plain or encrypted.
fn read_safes(auth_safe: &[u8], attempt: Attempt<'_>) -> Result<Contents, Problem> {
    let safes: Vec<cms::content_info::ContentInfo> = decode_lenient(auth_safe)?;
    let mut contents = Contents {
        certificates: Vec::new(),
        keys: Vec::new(),
        protection: Protection::default(),
    };
    for safe in safes {
        let content = safe.content.to_der().map_err(damaged)?;
        match safe.content_type {
            OID_DATA => {
                let data = OctetString::from_der(&content).map_err(damaged)?;
                let before = contents.certificates.len();
                read_bags(data.as_bytes(), attempt, &mut contents, 0)?;
                if contents.certificates.len() > before {
                    contents.protection.certificates.push(Scheme::none());
                }
            }
            OID_ENCRYPTED_DATA => {
                let encrypted: cms::encrypted_data::EncryptedData = decode_lenient(&content)?;
                let info = encrypted.enc_content_info;
                let Some(ciphertext) = info.encrypted_content else {
                    continue;
                };
                let mut buffer = Zeroizing::new(ciphertext.as_bytes().to_vec());
                let plain = decrypt(&info.content_enc_alg, attempt, &mut buffer)?;
                contents
                    .protection
                    .certificates
                    .push(Scheme::of(&info.content_enc_alg));
                read_bags(plain, attempt, &mut contents, 0)?;
            }
            OID_ENVELOPED_DATA => {
                return Err(Problem::Pkcs12Unsupported(
                    "public-key privacy mode (contents encrypted to a certificate)".into(),
                ));
            }
            other => {
                return Err(Problem::BadPkcs12(format!("unknown content type {other}")));
            }
        }
    }
    Ok(contents)
}

fn read_bags(
    der: &[u8],
    attempt: Attempt<'_>,
    contents: &mut Contents,
    depth: usize,
) -> Result<(), Problem> {
    if depth > MAX_NESTING {
        return Err(Problem::BadPkcs12("bags nested too deeply".into()));
    }
    let mut bags: Vec<pkcs12::safe_bag::SafeBag> = decode_lenient(der)?;
    let result = bags
        .iter()
        .try_for_each(|bag| read_bag(bag, attempt, contents, depth));
    // Key bags hold plaintext keys; wipe every bag's copy.
    for bag in &mut bags {
        bag.bag_value.zeroize();
    }
    result
}

fn read_bag(
    bag: &pkcs12::safe_bag::SafeBag,
    attempt: Attempt<'_>,
    contents: &mut Contents,
    depth: usize,
) -> Result<(), Problem> {
    let attrs = Attributes::of(bag);
    // bag_value is the [0] EXPLICIT wrapper; its content is the bag itself.
    let (wrapper, _, _) = element(&bag.bag_value)?;
    let inner = wrapper.data;
    match bag.bag_id {
        pkcs12::PKCS_12_CERT_BAG_OID => {
            let cert_bag = pkcs12::cert_type::CertBag::from_der(inner).map_err(damaged)?;
            if cert_bag.cert_id == pkcs12::PKCS_12_X509_CERT_OID {
                contents
                    .certificates
                    .push((cert_bag.cert_value.as_bytes().to_vec(), attrs.bag));
            }
        }
        pkcs12::PKCS_12_KEY_BAG_OID => {
            contents.keys.push(key(inner, attrs)?);
            contents.protection.keys.push(Scheme::none());
        }
        pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
            let shrouded =
                pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(inner).map_err(damaged)?;
            let mut buffer = Zeroizing::new(shrouded.encrypted_data.as_bytes().to_vec());
            let plain = decrypt(&shrouded.encryption_algorithm, attempt, &mut buffer)?;
            contents.keys.push(key(plain, attrs)?);
            contents
                .protection
                .keys
                .push(Scheme::of(&shrouded.encryption_algorithm));
        }
        pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID => {
            read_bags(inner, attempt, contents, depth + 1)?;
        }
        // CRL and secret bags say nothing about the federation certificate.
        _ => {}
    }
    Ok(())
}

/// The bag attributes mfgcheck reports.
struct Attributes {
    bag: Bag,
    provider: Option<String>,
}

impl Attributes {
    fn of(bag: &pkcs12::safe_bag::SafeBag) -> Self {
        let mut out = Attributes {
            bag: Bag::default(),
            provider: None,
        };
        for attr in bag.bag_attributes.iter().flat_map(|a| a.iter()) {
            let Some(value) = attr.values.iter().next() else {
                continue;
            };
            match attr.oid {
                OID_FRIENDLY_NAME => out.bag.friendly_name = text(value),
                OID_MS_CSP_NAME => out.provider = text(value),
                OID_LOCAL_KEY_ID => {
                    out.bag.local_key_id = value
                        .decode_as::<OctetString>()
                        .ok()
                        .map(|o| o.as_bytes().to_vec());
                }
                _ => {}
            }
        }
        out
    }
}

/// A BMPString (as the standard says) or UTF8String (as some tools write), without
/// the terminating NUL Windows sometimes includes.
fn text(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    let s = match value.tag() {
        der::Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([*c.first().unwrap_or(&0), *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        der::Tag::Utf8String | der::Tag::PrintableString | der::Tag::Ia5String => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        _ => return None,
    };
    Some(s.trim_end_matches('\0').to_owned())
}

/// Decrypts `buffer` in place with a PKCS#12 PBE or PBES2 scheme; returns the
/// plaintext part of it. A padding failure means the password is wrong.
fn decrypt<'b>(
    algorithm: &cms::cert::x509::spki::AlgorithmIdentifierOwned,
    attempt: Attempt<'_>,
    buffer: &'b mut [u8],
) -> Result<&'b [u8], Problem> {
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Problem::BadPkcs12("encryption parameters are missing".into()))?
        .to_der()
        .map_err(damaged)?;
    if algorithm.oid == OID_PBES2 {
        let params = pkcs5::pbes2::Parameters::from_der(&params).map_err(|e| {
            Problem::Pkcs12Unsupported(format!("this PBES2 encryption scheme ({e})"))
        })?;
        match &params.kdf {
            pkcs5::pbes2::Kdf::Pbkdf2(p) => {
                check_iterations(i64::from(p.iteration_count), "encryption")?;
            }
            pkcs5::pbes2::Kdf::Scrypt(s) => {
                let memory = 128u128 * u128::from(s.cost_parameter) * u128::from(s.block_size);
                if memory > 256 << 20 || s.parallelization > 16 {
                    return Err(Problem::BadPkcs12(
                        "scrypt parameters ask for more than 256 MiB; refused".into(),
                    ));
                }
                charge(scrypt_cost(s))?;
            }
            _ => {
                return Err(Problem::Pkcs12Unsupported(
                    "this PBES2 key derivation function".into(),
                ));
            }
        }
        return params
            .decrypt_in_place(attempt.utf8_bytes(), buffer)
            .map_err(|_| Problem::WrongPassword);
    }
    let pbe = pkcs12::pbe_params::Pkcs12PbeParams::from_der(&params).map_err(damaged)?;
    let rounds = check_iterations(i64::from(pbe.iterations), "encryption")?;
    let salt = pbe.salt.as_bytes();
    let pass = attempt.pkcs12_bytes();
    match algorithm.oid {
        pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => {
            pbe_cbc::<des::TdesEde3>(&pass, salt, rounds, 24, buffer)
        }
        pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => {
            pbe_cbc::<des::TdesEde2>(&pass, salt, rounds, 16, buffer)
        }
        pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC => {
            pbe_cbc::<rc2::Rc2>(&pass, salt, rounds, 16, buffer)
        }
        pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC => {
            pbe_cbc::<rc2::Rc2>(&pass, salt, rounds, 5, buffer)
        }
        pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC4 | pkcs12::PKCS_12_PBE_WITH_SHAAND40_BIT_RC4 => {
            Err(Problem::Pkcs12Unsupported("RC4 encryption".into()))
        }
        other => Err(Problem::Pkcs12Unsupported(format!(
            "encryption algorithm {other}"
        ))),
    }
}

/// RFC 7292 appendix B: key and IV from the PKCS#12 KDF with SHA-1, then CBC.
fn pbe_cbc<'b, C>(
    pass: &[u8],
    salt: &[u8],
    rounds: u32,
    key_len: usize,
    buffer: &'b mut [u8],
) -> Result<&'b [u8], Problem>
where
    C: BlockDecryptMut + cbc::cipher::BlockCipher + KeyInit,
{
    let derive =
        |kind, len| Zeroizing::new(derive_key::<Sha1>(pass, salt, kind, rounds as i32, len));
    let key = derive(Pkcs12KeyType::EncryptionKey, key_len);
    let iv = derive(Pkcs12KeyType::Iv, 8);
    let cipher = cbc::Decryptor::<C>::new_from_slices(&key, &iv)
        .map_err(|_| Problem::BadPkcs12("bad key or IV length".into()))?;
    cipher
        .decrypt_padded_mut::<Pkcs7>(buffer)
        .map(|plain| -> &[u8] { plain })
        .map_err(|_| Problem::WrongPassword)
}

/// Reads the public half of a PKCS#8 private key; the caller wipes the input.
fn key(pkcs8: &[u8], attrs: Attributes) -> Result<FoundKey, Problem> {
    let bad = || Problem::BadPkcs12("the private key is not valid PKCS#8".into());
    let info = pkcs8::PrivateKeyInfo::try_from(pkcs8).map_err(|_| bad())?;
    let public = match info.algorithm.oid {
        OID_RSA => {
            let rsa = pkcs1::RsaPrivateKey::try_from(info.private_key).map_err(|_| bad())?;
            PublicHalf::Rsa {
                modulus: rsa.modulus.as_bytes().to_vec(),
                exponent: rsa.public_exponent.as_bytes().to_vec(),
            }
        }
        OID_EC => PublicHalf::Ec {
            point: ec_public_point(info.private_key)
                .or_else(|| info.public_key.map(<[u8]>::to_vec)),
        },
        other => PublicHalf::Other {
            algorithm: other.to_string(),
        },
    };
    Ok(FoundKey {
        bag: attrs.bag,
        provider: attrs.provider,
        public,
    })
}

/// ECPrivateKey's optional `[1] publicKey BIT STRING` (RFC 5915).
fn ec_public_point(ec_private_key: &[u8]) -> Option<Vec<u8>> {
    let (seq, _, _) = element(ec_private_key).ok()?;
    let mut rest = seq.data;
    while !rest.is_empty() {
        let (field, _, next) = element(rest).ok()?;
        if field.class() == Class::ContextSpecific && field.tag() == Tag(1) {
            let (bits, _, _) = element(field.data).ok()?;
            return bits.data.get(1..).map(<[u8]>::to_vec);
        }
        rest = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MAC check alone, with one password form.
    fn mac_opens(file: &[u8], attempt: Attempt<'_>) -> bool {
        let pfx = pkcs12::pfx::Pfx::from_der(file).unwrap();
        let data = pfx.auth_safe.content.decode_as::<OctetString>().unwrap();
        verify_mac(pfx.mac_data.as_ref().unwrap(), attempt, data.as_bytes()).unwrap()
    }

    #[test]
    fn empty_and_absent_passwords_differ_on_the_wire() {
        let empty = include_bytes!("../../../certs-testdata/story-empty-password.pfx");
        let absent = include_bytes!("../../../certs-testdata/story-null-password.pfx");
        assert!(mac_opens(empty, Attempt::Text("")));
        assert!(!mac_opens(empty, Attempt::Absent));
        assert!(mac_opens(absent, Attempt::Absent));
        assert!(!mac_opens(absent, Attempt::Text("")));
    }

    #[test]
    fn passwords_are_utf16_with_a_terminator() {
        assert_eq!(
            *Attempt::Text("Aé").pkcs12_bytes(),
            [0, 0x41, 0, 0xE9, 0, 0]
        );
        assert_eq!(*Attempt::Text("").pkcs12_bytes(), [0, 0]);
        assert!(Attempt::Absent.pkcs12_bytes().is_empty());
    }

    #[test]
    fn absurd_iteration_counts_are_refused_before_any_work() {
        assert!(check_iterations(2048, "MAC").is_ok());
        let err = check_iterations(i64::from(i32::MAX), "MAC").unwrap_err();
        assert!(err.to_string().contains("limit is 1000000"), "{err}");
        assert!(check_iterations(0, "MAC").is_err());
        assert!(check_iterations(-5, "MAC").is_err());
    }

    #[test]
    fn ber_is_normalised_to_der() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        assert_eq!(
            normalize_ber(&ber).unwrap(),
            [0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']
        );
    }
}
