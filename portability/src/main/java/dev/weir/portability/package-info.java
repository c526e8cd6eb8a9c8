package dev.weir.portability;
