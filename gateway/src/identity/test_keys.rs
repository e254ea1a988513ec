//! Fixed signing keys for the JWT and pipeline tests (generated once with Python's
//! `cryptography`; test use only), and helpers to sign tokens and publish JWKS. Compiled
//! for the crate's tests and with the `testing` feature.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

/// The issuer the tests configure.
pub const ISSUER: &str = "https://issuer.example";
/// The audience the tests configure.
pub const AUDIENCE: &str = "ssm-edge";
/// The JWKS URL the tests configure.
pub const JWKS_URL: &str = "https://issuer.example/jwks.json";

/// The RSA private key (PKCS#1 DER, hex).
pub const RSA_PKCS1_DER_HEX: &str = concat!(
    "308204a20201000282010100b6226dd3dc670aade7193b9db238bceccc311417ae4b748e0212efde",
    "5926c40cc72284d7f747ea700bdcb93428cbac67b7a731c867a3d17860ca05eafe758e87e3997b02",
    "3aab9264f763a60657981023ead1a7cca62c4aa1f96c84cede3093f58e6d6b8a97c195dd2f7d9dc3",
    "384526028db158c9bc5a803ca14c92ac64d7a55f425e0ab920e156f13686388755deb4aac3859f04",
    "6718f98117bf30d072b6bdcf6a914be3b15fbe3c28e2f045ec6fc9f715b5edcb36f3c8f7ca6297a4",
    "5ac7490408babcecb567cf2ec844bef548e3b1626b8504e7657081e46204804c41595bf6562918cf",
    "521a00184b7bf2266e6321d988f5249d5c6fae0e7268234a74b25f630203010001028201000ce967",
    "ebcb062b05a50a6ee5810af0a9c0d801daa3ea897abfbee3ee59579c3263b398c34eae747a38fd0e",
    "cc19d0468a9bc4688d127bd48fba1cd84a8e7b7afd3b2f583f1235b38d20d499a27d77343db799e1",
    "516abe5d141a808cf1b562b03a8a3c4b9169acb9991292cf2a55c4e12af12c8f64cdcb84a7c7af8b",
    "fe58afc8f35733e5ca5f393531f37f6f2d97bd3d25dc7ead31b5f114cc54501522784789e032b9c0",
    "5d2b997f24444febe2c6d60d3bb94060df14612a6ef63264491dc2ed74cc0446aa72f230b318749a",
    "4c314b4be1ddb6a88e52dcf08862a0f0a9f6e9fce39800174e89ad49c0a2118eab5ce162ebdea56d",
    "bdf1426d722872165b7191d7e102818100e2e0d34566142d9647f7ca3217ec334b1b96739270823b",
    "57ea221bb9d1c69ce3cbfcc88f8f08f028a4523ce8f081350e20b0e84a3709aba84f2f6ec654a294",
    "f2195adb6e024cc113f0b96eb1e6b205d0e070133419ae9af8cf53b62ac9c4128a8a9c4292d2705f",
    "5b02ab5379d7231903530999091e60e7b03025fbac659db50902818100cd83554d52cb27a36824b5",
    "afff86e625edfe48d90cce5aae3dca67ee1b431a3669e7fc801b5c0dc94584e5e859ab224fdbff81",
    "2e476c1bc2b7d8c463ce99572f47258bd3e84c55c695707e2c7be63a1b3550c4e77421cfb46868fa",
    "04d678507f407dff6ad6f3d3539c3a43603ed39b39f7b1c71f7ba3f3303341e3de6bccd80b028180",
    "3d61bc674345e44b8b6f13ea57a495001617af6f083783dcb640c2259506da3d9b5be9db454492cd",
    "3c1fefd0c9f8fb24b65d868b45b6bd158d4ef4f67dc17af0c1415eaab5be946253b7a7a644171811",
    "ba17386ad923ef53afac2356123e95119c8cc84a36db264156488a0e25d19e1bd3247e9e03f50dda",
    "123cc48990f889190281801e788b8c446b54bc38b3c0b090ad7ab0430241e0d4b23fe5b7c9abf134",
    "df95225e3f8443a64ad6cc71df4b8b50c83bf5254453edfdaefccab9218db4d2ac0fae35d94e4b24",
    "15355e9547b19d7cdd5cde2de084e16069a6f733c7e4d214ce8ff8de22105dd1f322f131a7bdd7a6",
    "590f99dfacdf3e3ec1c74bed3da6c092b133930281802c3f9d94e00f5599d346f8f3c2a076a3957a",
    "d457100eed6ac238588534ed4eb8b252d6ec65b14caa12573398d51983eb0320575819f724dd2d29",
    "d651419ebb2473ac9e83cbd3d7241b22a7e279a4d0877df66609aedecfd890b79d39e80c80d6da03",
    "d3722835d9f072368383ea7a3a46230cf3e1a37f6295d519311870918578",
);
/// The RSA public modulus (base64url).
pub const RSA_N: &str = concat!(
    "tiJt09xnCq3nGTudsji87MwxFBeuS3SOAhLv3lkmxAzHIoTX90fqcAvcuTQoy6xnt6cxyGej0XhgygXq",
    "_nWOh-OZewI6q5Jk92OmBleYECPq0afMpixKoflshM7eMJP1jm1ripfBld0vfZ3DOEUmAo2xWMm8WoA8",
    "oUySrGTXpV9CXgq5IOFW8TaGOIdV3rSqw4WfBGcY-YEXvzDQcra9z2qRS-OxX748KOLwRexvyfcVte3L",
    "NvPI98pil6Rax0kECLq87LVnzy7IRL71SOOxYmuFBOdlcIHkYgSATEFZW_ZWKRjPUhoAGEt78iZuYyHZ",
    "iPUknVxvrg5yaCNKdLJfYw",
);
/// The RSA public exponent (base64url).
pub const RSA_E: &str = "AQAB";

/// The first P-256 private key (PKCS#8 DER, hex).
pub const EC_PKCS8_DER_HEX: &str = concat!(
    "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420207d229b",
    "51171ac99c1a46554700702c42116d17eea780a55edb7855926df71da144034200047a72bcd2733f",
    "93ff084b27281dcb2c19dd5cac28be2f9e24de0d606c235e2e739cd47e2fb53336fcaa346c35e848",
    "fdc7dfb49600551ecfa7464657050705ea6c",
);
/// Its public point's x (base64url).
pub const EC_X: &str = "enK80nM_k_8ISycoHcssGd1crCi-L54k3g1gbCNeLnM";
/// Its public point's y (base64url).
pub const EC_Y: &str = "nNR-L7UzNvyqNGw16Ej9x9-0lgBVHs-nRkZXBQcF6mw";

/// The second P-256 private key (PKCS#8 DER, hex).
pub const EC_OTHER_PKCS8_DER_HEX: &str = concat!(
    "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b020101042070eaa4af",
    "c4d26dc1e5b323dd74f2b71a47500e0049430b242a5030a8aa1f2385a144034200047b9c04238948",
    "61bec351d7fa3d41fd3eb564ff050bc2c0dd3f9b46b5e294f7cda2a24b69e3c98fb1b74ca30bc5b0",
    "69cf05c6888da092bf28cc3644d271c53f5c",
);
/// Its public point's x (base64url).
pub const EC_OTHER_X: &str = "e5wEI4lIYb7DUdf6PUH9PrVk_wULwsDdP5tGteKU980";
/// Its public point's y (base64url).
pub const EC_OTHER_Y: &str = "oqJLaePJj7G3TKMLxbBpzwXGiI2gkr8ozDZE0nHFP1w";

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("fixture hex"))
        .collect()
}

/// base64url without padding (for hand-made token parts).
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The RSA key (RS256).
pub fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_der(&unhex(RSA_PKCS1_DER_HEX))
}

/// The first P-256 key (ES256).
pub fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_der(&unhex(EC_PKCS8_DER_HEX))
}

/// A second P-256 key (ES256): another issuer key, or an attacker's.
pub fn ec_other_key() -> EncodingKey {
    EncodingKey::from_ec_der(&unhex(EC_OTHER_PKCS8_DER_HEX))
}

/// The public JWK of [`rsa_key`] under `kid`.
pub fn rsa_jwk(kid: &str) -> Value {
    json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": RSA_N, "e": RSA_E })
}

/// The public JWK of [`ec_key`] under `kid`.
pub fn ec_jwk(kid: &str) -> Value {
    json!({ "kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": kid, "x": EC_X, "y": EC_Y })
}

/// The public JWK of [`ec_other_key`] under `kid`.
pub fn ec_other_jwk(kid: &str) -> Value {
    json!({
        "kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": kid,
        "x": EC_OTHER_X, "y": EC_OTHER_Y,
    })
}

/// A JWKS document with `keys`.
pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// Signs `claims` with `key` as an `alg` token naming `kid`.
pub fn token(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).expect("test token signs")
}

/// Claims the tests' configuration accepts at `now`, for `sub` in `groups`.
pub fn claims(sub: &str, groups: &[&str], now: u64) -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "groups": groups,
        "iat": now,
        "exp": now + 300,
    })
}
