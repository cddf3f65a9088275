/// The tollgate command line.
public enum TollgateCommand {
    public static func main() { print("tollgate") }
}
