//! Declarative helpers shared by the model and the decoder.

/// Declares a model string enum with an `Unknown` variant that keeps values the
/// model does not (yet) list, as the AWS SDKs do.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        // A tag byte rather than a niche in `Unknown`'s `String`: a listed variant's tag is
        // then its position in `VALUES`, so `from` stores the position found where, with
        // the niche, it compiled to a jump table over every variant (~1.1 KB of the wasm).
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the model does not list, kept verbatim.
            Unknown(alloc::string::String),
        }

        impl $name {
            /// Every value the model lists, in model order.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The value as it appears on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                // One lookup in `VALUES` rather than a `match` of string constants: in
                // wasm the match is a jump table with a pair of constants per arm.
                match self {
                    $name::Unknown(other) => other.as_str(),
                    listed => Self::VALUES[listed.index()],
                }
            }
        }

        // Private to this enum: the variants in order as a field-less enum, whose
        // discriminants are the positions in `VALUES`.
        const _: () = {
            #[allow(non_camel_case_types, clippy::enum_variant_names)]
            enum Index { $( $variant, )+ Unknown }

            impl $name {
                /// The position in `VALUES` of a listed value (`Unknown`'s is never asked).
                fn index(&self) -> usize {
                    match self {
                        $( $name::$variant => Index::$variant as usize, )+
                        $name::Unknown(_) => Index::Unknown as usize,
                    }
                }
            }

            impl From<&str> for $name {
                fn from(value: &str) -> Self {
                    // A search of `VALUES` rather than a `match` of string constants (smaller
                    // in wasm), then the variant at that position.
                    let Some(at) = Self::VALUES.iter().position(|listed| *listed == value) else {
                        return $name::Unknown(alloc::string::String::from(value));
                    };
                    $( if at == Index::$variant as usize { return $name::$variant; } )+
                    unreachable!()
                }
            }
        };

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "model")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "model")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
