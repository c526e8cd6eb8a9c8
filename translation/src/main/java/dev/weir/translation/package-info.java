package dev.weir.translation;
