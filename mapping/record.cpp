#include "mapping/record.hpp"
