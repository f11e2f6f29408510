// snowflake::parse is inline in models/snowflake.hpp (the decoders call it for every id).
#include "models/snowflake.hpp"
