# fish completion for hlink(1).  Installed as
# $(PREFIX)/share/fish/vendor_completions.d/hlink.fish.

# True until --list is on the command line: then link options are not offered.
function __hlink_linking
    not contains -- --list (commandline -opc)
end

# Directories for the argument of -t, --src-dir and --dst-dir.  In the
# '--src-dir=DIR' and '-tDIR' forms the token holds the option too, which
# fish puts back in front of each candidate itself.
function __hlink_dirs
    __fish_complete_directories (commandline -ct | string replace -r -- '^(--[^=]*=|-[^-]*t)' '')
end

complete -c hlink -s L -l follow -d 'Link the file a symlink SRC resolves to (default)'
complete -c hlink -s P -l no-follow -d 'Link a symlink SRC itself'
complete -c hlink -n __hlink_linking -l src-dir -x -a '(__hlink_dirs)' -d 'Resolve relative SRC operands against DIR'
complete -c hlink -n __hlink_linking -l dst-dir -x -a '(__hlink_dirs)' -d 'Resolve DST, DIR and -t DIR against DIR'
complete -c hlink -n __hlink_linking -s s -l symlink-fallback -d 'Make a symbolic link where no hard link can be'
complete -c hlink -n __hlink_linking -l fallback -x -a 'symlink clone copy clone,copy symlink,clone,copy' -d 'Where no hard link can be, make the first KIND that works'
complete -c hlink -n __hlink_linking -l relative -d 'With -s, the symbolic link holds a relative path'
complete -c hlink -n __hlink_linking -s f -l force -d 'Replace an existing DST, atomically'
complete -c hlink -n __hlink_linking -s i -l interactive -d 'Ask before replacing an existing DST'
complete -c hlink -n __hlink_linking -s n -l no-dereference -d 'Treat a DST that is a symlink to a directory as a file'
complete -c hlink -n __hlink_linking -s T -l no-target-directory -d 'Treat DST as the link name, never as a directory'
complete -c hlink -n __hlink_linking -s t -l target-directory -x -a '(__hlink_dirs)' -d 'Make the links in DIR'
complete -c hlink -s v -l verbose -d 'Print each link made'
complete -c hlink -n __hlink_linking -s q -l quiet -d 'Print no notices, nor the --dedup summary'
complete -c hlink -n __hlink_linking -l dry-run -d 'Say what would be done, and change nothing'
complete -c hlink -n __hlink_linking -s r -l recursive -d 'Replicate directory trees'
complete -c hlink -n __hlink_linking -s j -l jobs -x -d 'With -r or --dedup, use N threads'
complete -c hlink -n __hlink_linking -l dedup -d 'Link identical files under the ROOTs'
complete -c hlink -n __hlink_linking -l min-size -x -d 'With --dedup, skip smaller files'
complete -c hlink -n __hlink_linking -l max-size -x -d 'With --dedup, skip larger files'
complete -c hlink -n __hlink_linking -l content-only -d 'With --dedup, ignore mode, owner and xattrs'
complete -c hlink -n __hlink_linking -l respect-time -d 'With --dedup, link only files of one mtime'
complete -c hlink -n __hlink_linking -l clone -d 'With --dedup, share blocks instead of linking'
complete -c hlink -n __hlink_linking -l progress -d 'Show a progress line, even without a terminal'
complete -c hlink -n __hlink_linking -l no-progress -d 'Show no progress line'
complete -c hlink -l list -d "Print every name of FILE's inode"
complete -c hlink -s 0 -l null -d 'With --list, end each name with NUL'
complete -c hlink -s h -l help -d 'Print the help and exit'
complete -c hlink -s V -l version -d 'Print the version and exit'
